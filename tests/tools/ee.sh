#!/usr/bin/env bash
# The execution-environment path, as far as it goes without a container
# runtime, from .venv-builder:
#  1. `ansible-builder create` on examples/execution-environment.yml: the
#     build context must install alibabacloud.appstreaming from Galaxy and run
#     ansible-builder's introspection on the installed collections;
#  2. do what that build step does: install the built tarball into a
#     collections directory and run the context's own introspect script on it
#     with the example's user requirements. The resulting pip requirements
#     (what the image gets) must name requests, alibabacloud-credentials AND
#     voluptuous, which the introspection drops from the collection's own
#     requirements.txt (the example adds it back; docs/getting-started.md says so).
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
isolate_env
require_venv
builder_venv=$(ensure_venv builder)
work="$BUILD/ee"
build_tarball "$work"
context="$work/context"
"$builder_venv/bin/ansible-builder" create -f "$ROOT/examples/execution-environment.yml" \
    --context "$context" --output-filename Containerfile </dev/null
containerfile="$context/Containerfile"
[[ -f "$containerfile" ]] || die "ansible-builder create wrote no $containerfile"

bad=0
check() { # check DESCRIPTION COMMAND...
    local what="$1"
    shift
    if "$@"; then
        echo "ok: $what"
    else
        echo "FAIL: $what" >&2
        bad=1
    fi
}
# True if a bindep file lists nothing outside the test profile.
# shellcheck disable=SC2317  # called through check()
runtime_bindep_empty() { ! grep -vE '^[[:space:]]*(#|$)|\[test\]' "$1"; }
check "the context's galaxy requirements name alibabacloud.appstreaming" \
    grep -q "name: alibabacloud.appstreaming" "$context/_build/requirements.yml"
check "the Containerfile installs the galaxy requirements" \
    grep -q "ansible-galaxy collection install .*requirements.yml" "$containerfile"
check "the Containerfile runs the introspection with the user's pip requirements" \
    grep -q "introspect.py introspect .*--user-pip=requirements.txt" "$containerfile"
check "the context's user pip requirements add voluptuous" \
    grep -qi "^voluptuous" "$context/_build/requirements.txt"

# The builder stage, on this machine: the collection as ansible-galaxy installs it.
ANSIBLE_COLLECTIONS_PATH="$work/collections" "$VENV/bin/ansible-galaxy" collection install "$TARBALL" -p "$work/collections" </dev/null >/dev/null \
    || die "ansible-galaxy collection install $TARBALL failed"
introspect=("$builder_venv/bin/python" "$context/_build/scripts/introspect.py" introspect "$work/collections")
"${introspect[@]}" --user-pip="$context/_build/requirements.txt" \
    --write-pip="$work/image-requirements.txt" --write-bindep="$work/image-bindep.txt" >"$work/introspect.log" 2>&1 \
    || { cat "$work/introspect.log" >&2; die "the introspection failed"; }
echo "--- pip requirements the image would install:"
cat "$work/image-requirements.txt"
for package in requests alibabacloud-credentials voluptuous; do
    check "the image installs $package" grep -qiE "^${package}([<>=!~; ]|$)" "$work/image-requirements.txt"
done
if [[ -f "$work/image-bindep.txt" ]]; then
    check "no system package outside the test profile" runtime_bindep_empty "$work/image-bindep.txt"
fi

# Without the example's line: the gotcha this all guards against.
"${introspect[@]}" --write-pip="$work/collection-only.txt" >/dev/null 2>&1 || die "the introspection failed"
if grep -qi "^voluptuous" "$work/collection-only.txt"; then
    echo "note: this ansible-builder no longer drops voluptuous from the collection's requirements"
else
    echo "ok: confirmed, the collection's requirements alone lack voluptuous (ansible-builder drops it)"
fi
exit "$bad"
