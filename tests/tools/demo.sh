#!/usr/bin/env bash
# Run the demo playbook (playbooks/demo.yml) from a fresh staged copy.
#  - ALIBABA_CLOUD_ACCESS_KEY_ID set: against the real cloud, with the
#    credentials (and region etc.) from the caller's environment.
#  - otherwise: against the bundled emulator
#      tests/emulator/ota_emulator.py --data tests/emulator/sample_data.json --port 0
#    which prints one JSON line {"endpoint": ..., "port": ..., "sts_endpoint": ...}
#    on stdout when ready. Fake credentials are exported, the endpoint is passed
#    as -e appstreaming_endpoint=... (and -e appstreaming_sts_endpoint=...), and
#    the emulator is stopped on exit.
# Extra arguments go to ansible-playbook (e.g. -v, --check), and so does
# APPSTREAMING_DEMO_ARGS (make demo ARGS=...), split by split_args.py: like a
# shell line, but a JSON value such as -e '{"demo_group_ids": ["aig-..."]}'
# stays one argument even unquoted. APPSTREAMING_DEMO_PRINT_ARGS=1 prints the
# arguments ansible-playbook would get, one per line, and stops (a test uses it).
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
if [[ -n "${APPSTREAMING_DEMO_ARGS:-}" ]]; then
    mapfile -d '' -t make_args < <(python3 "$ROOT/tests/tools/split_args.py" "$APPSTREAMING_DEMO_ARGS")
    set -- "${make_args[@]}" "$@"
fi
if [[ -n "${APPSTREAMING_DEMO_PRINT_ARGS:-}" ]]; then
    printf '%s\n' "$@"
    exit 0
fi
isolate_env
require_venv

PLAYBOOK=playbooks/demo.yml

bash "$ROOT/tests/tools/stage.sh" >/dev/null
cd "$STAGE" || exit 1
[[ -f "$PLAYBOOK" ]] || die "$PLAYBOOK does not exist (is it added to git or at least not ignored?)"

export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false

extra_vars=()
if [[ -n "${ALIBABA_CLOUD_ACCESS_KEY_ID:-}" ]]; then
    echo "demo: ALIBABA_CLOUD_ACCESS_KEY_ID is set: running against the real Alibaba Cloud"
else
    rm -rf "$BUILD/demo"
    start_emulator "$VENV/bin/python" tests/emulator "$BUILD/demo"
    endpoint=$EMULATOR_ENDPOINT
    sts_endpoint=$EMULATOR_STS_ENDPOINT
    echo "demo: emulator (pid $EMULATOR_PID) ready at $endpoint"

    export ALIBABA_CLOUD_ACCESS_KEY_ID=EMULATOR-AK-0000
    export ALIBABA_CLOUD_ACCESS_KEY_SECRET=emulator-secret-0000
    unset ALIBABA_CLOUD_SECURITY_TOKEN ALIBABA_CLOUD_ROLE_ARN ALIBABA_CLOUD_ROLE_SESSION_NAME
    extra_vars=(-e "appstreaming_endpoint=$endpoint")
    if [[ -n "$sts_endpoint" ]]; then
        extra_vars+=(-e "appstreaming_sts_endpoint=$sts_endpoint")
    fi
fi

# set -e: the script ends with ansible-playbook's exit status (the EXIT trap
# stops the emulator either way).
"$VENV/bin/ansible-playbook" "$PLAYBOOK" "${extra_vars[@]}" "$@" </dev/null
