# shellcheck shell=bash
# Shared settings for the scripts in tests/tools/ (sourced, not executed).
#
# Every script that sources this gets:
#   ROOT         the checkout (collection root)
#   BUILD        $ROOT/.build (gitignored scratch space)
#   VENV         $ROOT/.venv  (gitignored dev/test virtualenv, Python 3.12), or
#                $ROOT/.venv-NAME when APPSTREAMING_VENV_NAME=NAME (e.g. 'oldest':
#                the same gates on the oldest supported ansible-core)
#   VENV_NAME    dev, or that NAME
#   COLLECTIONS  $BUILD/collections (holds ansible_collections/...), or
#                $APPSTREAMING_COLLECTIONS
#   STAGE        the staged copy of the collection
# and a sanitised environment for every process it starts (see isolate_env).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD="$ROOT/.build"
VENV_NAME=${APPSTREAMING_VENV_NAME:-dev}
if [[ "$VENV_NAME" == dev ]]; then
    VENV="$ROOT/.venv"
else
    VENV="$ROOT/.venv-$VENV_NAME"
fi
# APPSTREAMING_COLLECTIONS moves the staged tree elsewhere (make bench stages its own, so that
# it can run beside the tests of the same checkout).
COLLECTIONS="${APPSTREAMING_COLLECTIONS:-$BUILD/collections}"
COLLECTION_NAMESPACE=alibabacloud
COLLECTION_NAME=appstreaming
STAGE="$COLLECTIONS/ansible_collections/$COLLECTION_NAMESPACE/$COLLECTION_NAME"
PYTHON_VERSION=3.12
# Pin pyenv's root while HOME is still the caller's: isolate_env moves HOME into .build.
if [[ -z "${PYENV_ROOT:-}" ]]; then
    PYENV_ROOT=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
fi
export PYENV_ROOT
export ROOT BUILD VENV VENV_NAME COLLECTIONS STAGE PYTHON_VERSION

die() {
    echo "ERROR: $*" >&2
    exit 1
}

# Print the path of a CPython 3.12 interpreter. pyenv shims do not work for
# versions that are not the global one, so look the interpreter up by path.
find_python() {
    local candidate root
    if [[ -n "${APPSTREAMING_PYTHON:-}" ]]; then
        "$APPSTREAMING_PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null \
            || die "APPSTREAMING_PYTHON=$APPSTREAMING_PYTHON is not a Python $PYTHON_VERSION interpreter"
        echo "$APPSTREAMING_PYTHON"
        return
    fi
    root=""
    if command -v pyenv >/dev/null 2>&1; then
        root=$(pyenv root 2>/dev/null || true)
    fi
    for candidate in "${root:-${PYENV_ROOT:-$HOME/.pyenv}}"/versions/"$PYTHON_VERSION".*/bin/python3 \
        /usr/local/bin/python"$PYTHON_VERSION" /usr/bin/python"$PYTHON_VERSION" \
        "$(command -v python"$PYTHON_VERSION" 2>/dev/null || true)"; do
        [[ -n "$candidate" && -x "$candidate" ]] || continue
        if "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
    die "no Python $PYTHON_VERSION interpreter found (looked in \$(pyenv root)/versions/$PYTHON_VERSION.*/bin/python3 and python$PYTHON_VERSION on PATH); install one or set APPSTREAMING_PYTHON"
}

# Sanitise the environment of everything started from now on: no proxies, no
# cloud metadata service, a private HOME (so no real ~/.alibabacloud or
# ~/.ansible leaks in), temp dirs under .build, the venv first on PATH.
# The first script of a run (no APPSTREAMING_ISOLATED yet) starts HOME afresh.
isolate_env() {
    if [[ -z "${APPSTREAMING_ISOLATED:-}" ]]; then
        fresh_home
        export APPSTREAMING_ISOLATED=1
    fi
    unset HTTP_PROXY HTTPS_PROXY http_proxy https_proxy ALL_PROXY all_proxy NO_PROXY no_proxy
    unset ANSIBLE_CONFIG ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS PYTHONPATH
    unset ALIBABA_CLOUD_PROFILE ALIBABA_CLOUD_CREDENTIALS_FILE ALIBABA_CLOUD_CONFIG_FILE
    export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
    export HOME="$BUILD/home"
    export ANSIBLE_LOCAL_TEMP="$BUILD/tmp/ansible-local"
    export ANSIBLE_REMOTE_TEMP="$BUILD/tmp/ansible-remote"
    export ANSIBLE_NOCOLOR=1
    export ANSIBLE_FORCE_COLOR=0
    export PY_COLORS=0
    export PYTHONDONTWRITEBYTECODE=1
    export PIP_DISABLE_PIP_VERSION_CHECK=1
    export TMPDIR="$BUILD/tmp"
    mkdir -p "$HOME" "$ANSIBLE_LOCAL_TEMP" "$ANSIBLE_REMOTE_TEMP" "$TMPDIR"
    if [[ -x "$VENV/bin/python" ]]; then
        export VIRTUAL_ENV="$VENV"
        export PATH="$VENV/bin:$PATH"
    fi
}

# Give the private HOME a fresh start, keeping only ansible-test's cache
# (its bootstrapped sanity virtualenvs and the get-pip stand-in), which is
# derived from pinned inputs only and makes sanity several times faster.
fresh_home() {
    local home="$BUILD/home" keep="$BUILD/home-keep"
    rm -rf "$keep"
    if [[ -d "$home/.ansible/test" ]]; then
        mkdir -p "$keep"
        mv "$home/.ansible/test" "$keep/test"
    fi
    rm -rf "$home"
    mkdir -p "$home/.ansible"
    if [[ -d "$keep/test" ]]; then
        mv "$keep/test" "$home/.ansible/test"
    fi
    rm -rf "$keep"
}

# Build or refresh $VENV (quiet when it is up to date).
require_venv() {
    bash "$ROOT/tests/tools/venv.sh" "$VENV_NAME" >&2 || die "cannot build $VENV (tests/tools/venv.sh $VENV_NAME)"
    [[ -x "$VENV/bin/ansible-test" ]] || die "$VENV is missing or incomplete: run 'tests/tools/venv.sh $VENV_NAME'"
    if [[ ":$PATH:" != *":$VENV/bin:"* ]]; then
        export VIRTUAL_ENV="$VENV"
        export PATH="$VENV/bin:$PATH"
    fi
}

# The pinned virtualenvs (tests/tools/venv.sh builds them): 'dev' is .venv from
# tests/requirements-dev.txt; NAME is .venv-NAME from tests/tools/requirements/NAME.txt.
venv_dir() {
    if [[ "$1" == dev ]]; then echo "$VENV"; else echo "$ROOT/.venv-$1"; fi
}

venv_requirements() {
    if [[ "$1" == dev ]]; then
        echo "$ROOT/tests/requirements-dev.txt"
    else
        echo "$ROOT/tests/tools/requirements/$1.txt"
    fi
}

all_venv_names() {
    local file
    echo dev
    for file in "$ROOT"/tests/tools/requirements/*.txt; do
        basename "$file" .txt
    done
}

# ensure_venv NAME: build or refresh that virtualenv (quiet when it is up to
# date) and print its directory.
ensure_venv() {
    bash "$ROOT/tests/tools/venv.sh" "$1" >&2 || die "cannot build the '$1' virtualenv"
    venv_dir "$1"
}

# test_workers: how many pytest-xdist workers run the integration tests (which
# mostly wait on emulator timelines and ansible subprocesses, not on the CPU):
# APPSTREAMING_TEST_WORKERS, else one more than the CPUs, at least 3 and at most 8.
# With one worker per CPU the suite kept only ~1.1 of 2 CPUs busy; with 3 on 2 CPUs,
# ~1.6 (docs/performance.md, "The test suite's own time"). The tests whose status
# timelines are short start them at the first request (FirstRequestEmulator), so
# a slow ansible start-up on a busy CPU cannot eat them.
test_workers() {
    local cpus
    if [[ -n "${APPSTREAMING_TEST_WORKERS:-}" ]]; then
        [[ "$APPSTREAMING_TEST_WORKERS" =~ ^[0-9]+$ ]] || die "APPSTREAMING_TEST_WORKERS must be a number, got '$APPSTREAMING_TEST_WORKERS'"
        echo "$APPSTREAMING_TEST_WORKERS"
        return
    fi
    cpus=$(nproc 2>/dev/null || echo 2)
    cpus=$((cpus + 1))
    ((cpus < 3)) && cpus=3
    ((cpus > 8)) && cpus=8
    echo "$cpus"
}

# run_pytest SUITE [pytest args...]: pytest tests/SUITE from a fresh staged
# copy, importing the collection as ansible_collections.alibabacloud.appstreaming
# from .build/collections (also what ansible/ansible-playbook subprocesses use).
# The integration suite runs on test_workers pytest-xdist workers (--dist
# worksteal; pass -n 0 to run it in one process); every suite ends with the
# slowest tests (--durations). Arguments given here come last, so they win.
# pytest's "no tests collected" (exit 5) is an error here: it means nothing ran.
run_pytest() {
    local suite="$1" rc=0 defaults=(--durations=15 --durations-min=1.0)
    shift
    isolate_env
    require_venv
    bash "$ROOT/tests/tools/stage.sh" >/dev/null
    [[ -d "$STAGE/tests/$suite" ]] || die "tests/$suite does not exist: no $suite tests to run"
    export PYTHONPATH="$COLLECTIONS"
    export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS"
    export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
    export HYPOTHESIS_STORAGE_DIRECTORY="$BUILD/hypothesis"
    cd "$STAGE" || exit 1
    if [[ "$suite" == integration ]]; then
        defaults+=(-n "$(test_workers)" --dist worksteal)
    fi
    echo "$suite: ansible-core $("$VENV/bin/python" -c 'import ansible.release; print(ansible.release.__version__)') from ${VENV#"$ROOT"/}"
    "$VENV/bin/python" -m pytest "tests/$suite" -o cache_dir="$BUILD/pytest_cache/$suite" -ra "${defaults[@]}" "$@" || rc=$?
    if [[ $rc -eq 5 ]]; then
        echo "ERROR: pytest collected no tests in tests/$suite: nothing ran" >&2
        return 1
    fi
    return "$rc"
}

# tool_env NAME: build or refresh .venv-NAME, stage a fresh copy of the
# collection, and put that venv first on PATH (VIRTUAL_ENV too) and only the
# staged tree on the collections path. Sets TOOL_VENV.
tool_env() {
    TOOL_VENV=$(ensure_venv "$1")
    bash "$ROOT/tests/tools/stage.sh" >/dev/null
    export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS"
    export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
    export VIRTUAL_ENV="$TOOL_VENV"
    export PATH="$TOOL_VENV/bin:$PATH"
}

# build_tarball WORK_DIR: build and check the collection tarball (build.sh),
# set TARBALL to it, and empty WORK_DIR (the calling gate's scratch directory).
build_tarball() {
    TARBALL=$(bash "$ROOT/tests/tools/build.sh" | tail -n1)
    [[ -f "$TARBALL" ]] || die "build.sh did not produce a tarball"
    rm -rf "$1"
    mkdir -p "$1"
}

# start_emulator PYTHON EMULATOR_DIR RUN_DIR: start EMULATOR_DIR/ota_emulator.py
# (with EMULATOR_DIR/sample_data.json, a free loopback port) under PYTHON, wait
# for its ready line and set EMULATOR_PID, EMULATOR_ENDPOINT and
# EMULATOR_STS_ENDPOINT. Its output goes to RUN_DIR/emulator.{out,err}. Stops
# it on exit (EXIT trap; INT/TERM exit too). Fails if it is not ready in 30 s.
EMULATOR_PID=""
stop_emulator() {
    if [[ -n "$EMULATOR_PID" ]] && kill -0 "$EMULATOR_PID" 2>/dev/null; then
        kill "$EMULATOR_PID" 2>/dev/null || true
        wait "$EMULATOR_PID" 2>/dev/null || true
    fi
}

start_emulator() {
    local python="$1" emulator_dir="$2" run_dir="$3" ready="" deadline endpoints
    [[ -f "$emulator_dir/ota_emulator.py" ]] || die "$emulator_dir/ota_emulator.py does not exist"
    [[ -f "$emulator_dir/sample_data.json" ]] || die "$emulator_dir/sample_data.json does not exist"
    mkdir -p "$run_dir"
    trap stop_emulator EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    "$python" "$emulator_dir/ota_emulator.py" --data "$emulator_dir/sample_data.json" --port 0 --max-seconds 900 \
        >"$run_dir/emulator.out" 2>"$run_dir/emulator.err" </dev/null &
    EMULATOR_PID=$!
    deadline=$((SECONDS + 30))
    while [[ -z "$ready" ]]; do
        # The first complete line that looks like JSON (the emulator may be mid-write).
        if [[ -s "$run_dir/emulator.out" ]]; then
            ready=$(grep -m1 '^[[:space:]]*{.*}[[:space:]]*$' "$run_dir/emulator.out" || true)
        fi
        if [[ -z "$ready" ]]; then
            if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
                cat "$run_dir/emulator.err" >&2
                die "the emulator exited before it was ready"
            fi
            if ((SECONDS >= deadline)); then
                cat "$run_dir/emulator.err" >&2
                die "the emulator printed no ready line within 30s"
            fi
            sleep 0.1
        fi
    done
    mapfile -t endpoints < <("$python" -c '
import json, sys
info = json.loads(sys.argv[1])
print(info["endpoint"])
print(info.get("sts_endpoint") or "")
' "$ready") || die "cannot parse the emulator's ready line: $ready"
    EMULATOR_ENDPOINT=${endpoints[0]:-}
    # shellcheck disable=SC2034  # read by the scripts that source this file
    EMULATOR_STS_ENDPOINT=${endpoints[1]:-}
    [[ -n "$EMULATOR_ENDPOINT" ]] || die "the emulator's ready line has no endpoint: $ready"
}
