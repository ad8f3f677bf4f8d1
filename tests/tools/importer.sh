#!/usr/bin/env bash
# galaxy-importer (what Galaxy runs on an upload) on the built tarball, from
# .venv-importer: ansible-doc of every plugin, flake8, ansible-lint, changelog
# and metadata checks. ansible-test is off (RUN_ANSIBLE_TEST=False: it wants
# containers; the sanity gates run it). galaxy-importer exits 0 even when it
# finds problems, so its output is read: any WARNING or ERROR line fails the
# gate, except flake8's W503 ("line break before binary operator"), which
# flake8 itself ignores by default and PEP 8 recommends (galaxy-importer
# selects it explicitly).
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
isolate_env
importer_venv=$(ensure_venv importer)
work="$BUILD/importer"
build_tarball "$work"
cat >"$work/galaxy-importer.cfg" <<'CFG'
[galaxy-importer]
RUN_ANSIBLE_TEST = False
RUN_ANSIBLE_DOC = True
RUN_ANSIBLE_LINT = True
RUN_FLAKE8 = True
CHECK_CHANGELOG = True
LOG_LEVEL_MAIN = INFO
CFG
export GALAXY_IMPORTER_CONFIG="$work/galaxy-importer.cfg"
export PATH="$importer_venv/bin:$PATH"
export VIRTUAL_ENV="$importer_venv"
export PRE_COMMIT=1
unset ANSIBLE_COLLECTIONS_PATH

log="$work/import.log"
rc=0
(cd "$work" && python -m galaxy_importer.main "$TARBALL" </dev/null) >"$log" 2>&1 || rc=$?
grep -v '^[[:space:]]*$' "$log"
[[ $rc -eq 0 ]] || die "galaxy-importer exited $rc"
grep -q "Importer processing completed successfully" "$log" || die "galaxy-importer did not complete"
problems=$(grep -E '^(WARNING|ERROR)' "$log" | grep -vE '^WARNING: [^ ]+:[0-9]+:[0-9]+: W503 ' || true)
if [[ -n "$problems" ]]; then
    echo "ERROR: galaxy-importer reported:" >&2
    echo "$problems" >&2
    exit 1
fi
echo "importer: no warnings (flake8 W503 lines allowed: $(grep -cE ': W503 ' "$log" || true))"
