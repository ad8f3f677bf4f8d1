#!/usr/bin/env bash
# `antsibull-changelog release` for galaxy.yml's version (from .venv-changelog,
# in a staged copy, where it can find the plugins): folds the fragments in
# changelogs/fragments/ into changelogs/changelog.yaml (into the existing
# release if that version is already there, as for 0.1.0 until it is
# published), regenerates CHANGELOG.rst/.md and removes the used fragments
# (keep_fragments: false). Extra arguments go to antsibull-changelog release
# (e.g. --date 2026-12-01).
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
isolate_env
tool_env changelog
(cd "$STAGE" && antsibull-changelog release "$@") || die "antsibull-changelog release failed"
cp "$STAGE/changelogs/changelog.yaml" "$ROOT/changelogs/changelog.yaml"
cp "$STAGE/CHANGELOG.rst" "$STAGE/CHANGELOG.md" "$ROOT/"
# The fragments the release used are gone from the staged copy: remove them here too.
for fragment in "$ROOT"/changelogs/fragments/*; do
    [[ -e "$fragment" && "$(basename "$fragment")" != .keep ]] || continue
    [[ -e "$STAGE/changelogs/fragments/$(basename "$fragment")" ]] || rm -v "$fragment"
done
git -C "$ROOT" status --short -- changelogs CHANGELOG.rst CHANGELOG.md
