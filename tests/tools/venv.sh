#!/usr/bin/env bash
# Create or refresh the pinned virtualenvs (all Python 3.12).
# Usage: venv.sh [NAME...]   (default: dev; 'all' = every one)
#   dev        .venv         tests/requirements-dev.txt (ansible-core newest; sanity, units,
#                            integration, demo, building the tarball)
#   NAME       .venv-NAME    tests/tools/requirements/NAME.txt (one per tool: lint, docs,
#                            changelog, importer, builder, oldest)
# Re-installs only when the requirements file changed (sha256 stamp) or the
# venv is broken. Idempotent; quiet unless it has to install something.
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=(dev)
if [[ " ${names[*]} " == *" all "* ]]; then
    mapfile -t names < <(all_venv_names)
fi

build_venv() {
    local name="$1" dir requirements stamp want python log
    dir=$(venv_dir "$name")
    requirements=$(venv_requirements "$name")
    [[ -f "$requirements" ]] || die "unknown virtualenv '$name': no $requirements (known: $(all_venv_names | tr '\n' ' '))"
    stamp="$dir/.requirements.sha256"
    want=$(sha256sum "$requirements" | cut -d' ' -f1)

    if [[ -x "$dir/bin/python" ]] && [[ -f "$stamp" ]] && [[ "$(cat "$stamp")" == "$want" ]] \
        && "$dir/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
        return 0
    fi

    python=$(find_python)
    if ! "$dir/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
        echo "venv: creating ${dir#"$ROOT"/} with $python"
        rm -rf "$dir"
        "$python" -m venv "$dir"
    fi
    echo "venv: installing ${requirements#"$ROOT"/} into ${dir#"$ROOT"/}"
    rm -f "$stamp"
    log="$dir/pip-install.log"
    # Drop this machine's 'Location file:///... is ignored' pip noise; keep errors.
    if ! "$dir/bin/python" -m pip install --disable-pip-version-check --quiet \
        -r "$requirements" >"$log" 2>&1; then
        grep -v "is ignored" "$log" >&2 || true
        die "pip install -r $requirements failed (log: $log)"
    fi
    "$dir/bin/python" -m pip check >/dev/null || {
        "$dir/bin/python" -m pip check >&2 || true
        die "pip check failed in $dir"
    }
    echo "$want" >"$stamp"
    echo "venv: ${dir#"$ROOT"/} ready"
}

isolate_env
unset PIP_REQUIRE_VIRTUALENV
# Shared by every venv build of this checkout (the private HOME is wiped per run).
export PIP_CACHE_DIR="$BUILD/pip-cache"
# Up to APPSTREAMING_VENV_JOBS (default 3) builds at once: a fresh clone's builds mostly
# wait on downloads, and each writes only its own directory (pip's cache is safe to share).
# Each build runs in a process group of its own (set -m), so Ctrl-C or a TERM stops every
# pip it started instead of leaving them writing into the venvs.
max_jobs=${APPSTREAMING_VENV_JOBS:-3}
[[ "$max_jobs" =~ ^[1-9][0-9]*$ ]] || die "APPSTREAMING_VENV_JOBS must be a number >= 1, got '$max_jobs'"
mapfile -t names < <(printf '%s\n' "${names[@]}" | awk '!seen[$0]++')   # one build per venv
status_dir=$(mktemp -d)
trap 'rm -rf "$status_dir"' EXIT
stop_builds() {
    local group
    for group in $(jobs -p); do
        kill -TERM -- "-$group" 2>/dev/null
    done
    exit 130
}
trap stop_builds INT TERM
set -m
for name in "${names[@]}"; do
    while (($(jobs -rp | wc -l) >= max_jobs)); do
        wait -n || true
    done
    {
        if (build_venv "$name"); then
            echo 0 >"$status_dir/$name"
        else
            echo "$?" >"$status_dir/$name"
        fi
    } &
done
wait
set +m
failed=()
for name in "${names[@]}"; do
    [[ "$(cat "$status_dir/$name" 2>/dev/null)" == 0 ]] || failed+=("$name")
done
((${#failed[@]} == 0)) || die "could not build the virtualenv(s): ${failed[*]}"
