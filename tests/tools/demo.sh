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
# Extra arguments go to ansible-playbook (e.g. -v, --check).
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
isolate_env
require_venv

PLAYBOOK=playbooks/demo.yml
EMULATOR=tests/emulator/ota_emulator.py
EMULATOR_DATA=tests/emulator/sample_data.json
READY_TIMEOUT=30

bash "$ROOT/tests/tools/stage.sh" >/dev/null
cd "$STAGE" || exit 1
[[ -f "$PLAYBOOK" ]] || die "$PLAYBOOK does not exist (is it added to git or at least not ignored?)"

export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false

extra_vars=()
emulator_pid=""
stop_emulator() {
    if [[ -n "$emulator_pid" ]] && kill -0 "$emulator_pid" 2>/dev/null; then
        kill "$emulator_pid" 2>/dev/null || true
        wait "$emulator_pid" 2>/dev/null || true
    fi
}
trap stop_emulator EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -n "${ALIBABA_CLOUD_ACCESS_KEY_ID:-}" ]]; then
    echo "demo: ALIBABA_CLOUD_ACCESS_KEY_ID is set: running against the real Alibaba Cloud"
else
    [[ -f "$EMULATOR" ]] || die "$EMULATOR does not exist"
    [[ -f "$EMULATOR_DATA" ]] || die "$EMULATOR_DATA does not exist"
    run_dir="$BUILD/demo"
    rm -rf "$run_dir"
    mkdir -p "$run_dir"
    "$VENV/bin/python" "$EMULATOR" --data "$EMULATOR_DATA" --port 0 \
        >"$run_dir/emulator.out" 2>"$run_dir/emulator.err" </dev/null &
    emulator_pid=$!

    ready=""
    deadline=$((SECONDS + READY_TIMEOUT))
    while [[ -z "$ready" ]]; do
        # The first complete line that looks like JSON (the emulator may be mid-write).
        if [[ -s "$run_dir/emulator.out" ]]; then
            ready=$(grep -m1 '^[[:space:]]*{.*}[[:space:]]*$' "$run_dir/emulator.out" || true)
        fi
        if [[ -z "$ready" ]]; then
            if ! kill -0 "$emulator_pid" 2>/dev/null; then
                cat "$run_dir/emulator.err" >&2
                die "the emulator exited before it was ready"
            fi
            if ((SECONDS >= deadline)); then
                cat "$run_dir/emulator.err" >&2
                die "the emulator printed no ready line within ${READY_TIMEOUT}s"
            fi
            sleep 0.1
        fi
    done
    mapfile -t endpoints < <("$VENV/bin/python" -c '
import json, sys
info = json.loads(sys.argv[1])
print(info["endpoint"])
print(info.get("sts_endpoint") or "")
' "$ready") || die "cannot parse the emulator's ready line: $ready"
    endpoint=${endpoints[0]:-}
    sts_endpoint=${endpoints[1]:-}
    [[ -n "$endpoint" ]] || die "the emulator's ready line has no endpoint: $ready"
    echo "demo: emulator (pid $emulator_pid) ready at $endpoint"

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
