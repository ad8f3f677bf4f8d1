#!/usr/bin/env bash
# `make bench`: the performance benchmark (tests/bench/run_bench.py) against the emulator,
# side by side with the official SDK's paging loop. Builds the SDK's own pinned venv
# (.build/bench-sdk-venv, from tests/bench/requirements-sdk.txt) on first use, stages the
# collection, and runs the benchmark from the staged copy. Extra arguments go to
# run_bench.py (e.g. --repeat 3, --scenarios 10k,5). Exit 1: a target was missed.
# The benchmark stages its own copy (.build/bench-collections) and has its own HOME and temp
# directories (.build/bench-home, .build/bench-tmp), so the tests of this checkout may run
# meanwhile: neither pulls the other's files away.
APPSTREAMING_COLLECTIONS="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.build/bench-collections"
export APPSTREAMING_COLLECTIONS
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

export APPSTREAMING_ISOLATED=1   # isolate_env must not wipe .build/home, which a running test may use
isolate_env
export HOME="$BUILD/bench-home" TMPDIR="$BUILD/bench-tmp"
export ANSIBLE_LOCAL_TEMP="$TMPDIR/ansible-local" ANSIBLE_REMOTE_TEMP="$TMPDIR/ansible-remote"
rm -rf "$HOME" "$TMPDIR"
mkdir -p "$HOME/.ansible" "$ANSIBLE_LOCAL_TEMP" "$ANSIBLE_REMOTE_TEMP"
require_venv

SDK_VENV="$BUILD/bench-sdk-venv"
SDK_REQUIREMENTS="$ROOT/tests/bench/requirements-sdk.txt"
stamp="$SDK_VENV/.requirements-sdk.sha256"
want=$(sha256sum "$SDK_REQUIREMENTS" | cut -d' ' -f1)
if ! [[ -x "$SDK_VENV/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    python=$(find_python)
    echo "bench: creating $SDK_VENV (the official SDK, pinned)" >&2
    rm -rf "$SDK_VENV"
    "$python" -m venv "$SDK_VENV"
    log="$SDK_VENV/pip-install.log"
    # pip compiles the .pyc files here: later SDK runs never pay for compiling.
    if ! env -u PYTHONDONTWRITEBYTECODE -u PIP_REQUIRE_VIRTUALENV "$SDK_VENV/bin/python" -m pip install \
        --disable-pip-version-check --quiet -r "$SDK_REQUIREMENTS" >"$log" 2>&1; then
        grep -v "is ignored" "$log" >&2 || true
        die "pip install -r $SDK_REQUIREMENTS failed (log: $log)"
    fi
    echo "$want" >"$stamp"
fi

bash "$ROOT/tests/tools/stage.sh" >/dev/null
export PYTHONPATH="$COLLECTIONS"
export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
cd "$STAGE" || exit 1
# APPSTREAMING_BENCH_PARTS picks the parts to run (default all): main (run_bench.py, which gets the arguments),
# rollout, throttling, eda. E.g. APPSTREAMING_BENCH_PARTS=throttling make bench reruns the throttling table only.
parts=" ${APPSTREAMING_BENCH_PARTS:-main rollout throttling eda} "
rc=0 rollout_rc=0 throttling_rc=0 eda_rc=0
if [[ "$parts" == *" main "* ]]; then
    "$VENV/bin/python" tests/bench/run_bench.py --sdk-python "$SDK_VENV/bin/python" --out "$BUILD/bench" "$@" || rc=$?
fi
if [[ "$parts" == *" rollout "* ]]; then
    echo
    echo "==================== discovery and approval (tests/bench/rollout_bench.py) ===================="
    "$VENV/bin/python" tests/bench/rollout_bench.py --out "$BUILD/bench" || rollout_rc=$?
fi
if [[ "$parts" == *" throttling "* ]]; then
    echo
    echo "==================== throttling: a shared quota (tests/bench/throttling_bench.py) ===================="
    "$VENV/bin/python" tests/bench/throttling_bench.py --out "$BUILD/bench" || throttling_rc=$?
fi
if [[ "$parts" == *" eda "* ]]; then
    echo
    echo "==================== the event source (tests/tools/bench-eda.sh) ===================="
    bash "$ROOT/tests/tools/bench-eda.sh" || eda_rc=$?   # (it stages again: run it last)
fi
for other in "$rollout_rc" "$throttling_rc" "$eda_rc"; do
    if [[ $rc -eq 0 ]]; then
        rc=$other
    fi
done
exit "$rc"
