#!/usr/bin/env bash
# Stage a fresh copy of the collection at
#   .build/collections/ansible_collections/alibabacloud/appstreaming
# (ansible-test only works inside ansible_collections/<ns>/<name> and resolves
# symlinks, so this is a real copy). Only the files git lists are copied
# (tracked plus untracked-but-not-ignored), so .venv/, .build/, caches and the
# like never get in. The copy gets an empty git repository of its own: without
# one, ansible-test walks up to this checkout's .git, where .build/ is ignored,
# and finds no files at all ("All targets skipped"). With it, ansible-test
# sees exactly the copied files (git ls-files --others --exclude-standard).
# Prints the staged path.
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

command -v git >/dev/null || die "git is needed to list the collection's files"
git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1 || die "$ROOT is not a git checkout"
[[ "$(git -C "$ROOT" rev-parse --show-toplevel)" == "$ROOT" ]] || die "$ROOT is not the top of its git checkout"

rm -rf "$STAGE"
mkdir -p "$STAGE"
# --cached lists files deleted from the work tree but not yet from the index: skip those.
git -C "$ROOT" ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' path; do
        if [[ -e "$ROOT/$path" || -L "$ROOT/$path" ]]; then
            printf '%s\0' "$path"
        fi
    done \
    | sort -zu \
    | tar -C "$ROOT" --null --no-recursion -T - -cf - \
    | tar -C "$STAGE" -xf -
git -C "$STAGE" -c init.defaultBranch=main init -q
echo "$STAGE"
