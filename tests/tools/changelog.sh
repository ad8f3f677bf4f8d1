#!/usr/bin/env bash
# antsibull-changelog lint (config, fragments, changelogs/changelog.yaml) on a
# fresh staged copy, from .venv-changelog; then check that CHANGELOG.rst and
# CHANGELOG.md are what `antsibull-changelog generate` makes of
# changelogs/changelog.yaml, and that the release galaxy.yml names is in it.
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
isolate_env
tool_env changelog
cd "$STAGE" || exit 1
rc=0
antsibull-changelog lint -v || rc=1
antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml || rc=1

version=$(python -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["version"])')
if ! python - "$version" <<'PY'; then
import sys, yaml
releases = yaml.safe_load(open('changelogs/changelog.yaml'))['releases']
sys.exit(0 if sys.argv[1] in releases else 'changelogs/changelog.yaml has no release %s (galaxy.yml version)' % sys.argv[1])
PY
    rc=1
fi

antsibull-changelog generate >/dev/null 2>&1 || { echo "antsibull-changelog generate failed" >&2; rc=1; }
for file in CHANGELOG.rst CHANGELOG.md; do
    if ! diff -u "$ROOT/$file" "$STAGE/$file"; then
        echo "ERROR: $file is not up to date with changelogs/changelog.yaml: run antsibull-changelog generate" >&2
        rc=1
    fi
done
[[ $rc -ne 0 ]] || echo "changelog: lint clean, release $version present, CHANGELOG.rst/.md up to date"
exit "$rc"
