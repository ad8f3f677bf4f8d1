#!/usr/bin/env bash
# ansible-test sanity over a fresh staged copy of the collection, with the
# Python 3.12 virtualenv machinery (--venv; no containers here). Extra
# arguments go to ansible-test (e.g. --test pylint). Fails if any
# tests/sanity/ignore-*.txt file has an entry: this project allows none.
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
isolate_env
require_venv

shopt -s nullglob
bad=0
for ignore_file in "$ROOT"/tests/sanity/ignore-*.txt; do
    if grep -qvE '^[[:space:]]*(#.*)?$' "$ignore_file"; then
        echo "ERROR: ${ignore_file#"$ROOT"/} has entries; sanity ignores are not allowed, fix the findings instead:" >&2
        grep -nvE '^[[:space:]]*(#.*)?$' "$ignore_file" >&2 || true
        bad=1
    fi
done
shopt -u nullglob
[[ $bad -eq 0 ]] || exit 1

command -v shellcheck >/dev/null || echo "WARNING: shellcheck is not installed: ansible-test will skip its shellcheck test (apt-get install shellcheck)" >&2

bash "$ROOT/tests/tools/stage.sh" >/dev/null
bash "$ROOT/tests/tools/getpip-standin.sh" >/dev/null

cd "$STAGE" || exit 1
log="$BUILD/sanity-$VENV_NAME.log"
rc=0
ansible-test sanity --venv --python "$PYTHON_VERSION" --color no "$@" 2>&1 | tee "$log" || rc=$?
# ansible-test exits 0 when it finds no files to test (e.g. when it resolves
# the content root to the wrong git checkout): that is a failure here.
if grep -q "All targets skipped" "$log"; then
    echo "ERROR: ansible-test sanity tested no files in $STAGE" >&2
    rc=1
fi
exit "$rc"
