#!/usr/bin/env bash
# Create or refresh .venv/ (Python 3.12) from tests/requirements-dev.txt.
# Re-installs only when the requirements file changed (sha256 stamp) or the
# venv is broken. Idempotent; quiet unless it has to install something.
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

REQUIREMENTS="$ROOT/tests/requirements-dev.txt"
STAMP="$VENV/.requirements-dev.sha256"
want=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)

if [[ -x "$VENV/bin/python" ]] && [[ -f "$STAMP" ]] && [[ "$(cat "$STAMP")" == "$want" ]] \
    && "$VENV/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
    exit 0
fi

python=$(find_python)
isolate_env
unset PIP_REQUIRE_VIRTUALENV
if ! "$VENV/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
    echo "venv: creating $VENV with $python"
    rm -rf "$VENV"
    "$python" -m venv "$VENV"
fi
echo "venv: installing $REQUIREMENTS"
rm -f "$STAMP"
log="$VENV/pip-install.log"
# Drop this machine's 'Location file:///... is ignored' pip noise; keep errors.
if ! "$VENV/bin/python" -m pip install --disable-pip-version-check --quiet \
    -r "$REQUIREMENTS" >"$log" 2>&1; then
    grep -v "is ignored" "$log" >&2 || true
    die "pip install -r $REQUIREMENTS failed (log: $log)"
fi
"$VENV/bin/python" -m pip check >/dev/null || {
    "$VENV/bin/python" -m pip check >&2 || true
    die "pip check failed in $VENV"
}
echo "$want" >"$STAMP"
echo "venv: ready ($("$VENV/bin/ansible" --version | head -n1))"
