#!/usr/bin/env bash
# What a Galaxy user does, end to end, away from the checkout:
#  1. build the tarball (build.sh);
#  2. a fresh virtualenv with ansible-core, then `ansible-galaxy collection
#     install` of the tarball into a fresh directory, then `pip install -r` the
#     INSTALLED collection's requirements.txt (versions constrained to the ones
#     tests/requirements-dev.txt pins, so the run is reproducible);
#  3. start the emulator from the installed copy (tests/emulator/ ships in the
#     tarball) and run the installed playbook `alibabacloud.appstreaming.demo`
#     from an empty working directory, with nothing of the checkout on any path.
# Everything lives in .build/installed/ and is made anew each run.
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
isolate_env

work="$BUILD/installed"
build_tarball "$work"
mkdir -p "$work/run" "$work/collections"
constraints="$ROOT/tests/requirements-dev.txt"
core_pin=$(grep -m1 '^ansible-core==' "$constraints") || die "no ansible-core pin in $constraints"

# Off the checkout's virtualenv: a clean PATH with only the new venv in front.
export PATH="$work/venv/bin:/usr/local/bin:/usr/bin:/bin"
unset VIRTUAL_ENV PYTHONPATH
export PIP_CACHE_DIR="$BUILD/pip-cache"

python=$(find_python)
"$python" -m venv "$work/venv"
pip_install() {
    "$work/venv/bin/python" -m pip install --disable-pip-version-check --quiet "$@" >"$work/pip.log" 2>&1 || {
        grep -v "is ignored" "$work/pip.log" >&2 || true
        die "pip install $* failed"
    }
}
echo "installed-demo: fresh venv with $core_pin"
pip_install "$core_pin"

cd "$work/run" || exit 1
export ANSIBLE_COLLECTIONS_PATH="$work/collections"
ansible-galaxy collection install "$TARBALL" -p "$work/collections" </dev/null
installed="$work/collections/ansible_collections/$COLLECTION_NAMESPACE/$COLLECTION_NAME"
[[ -f "$installed/MANIFEST.json" ]] || die "the collection is not installed at $installed"

echo "installed-demo: pip install -r <installed collection>/requirements.txt"
pip_install -r "$installed/requirements.txt" -c "$constraints"
"$work/venv/bin/python" -m pip check

export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false
listing=$(ansible-galaxy collection list "$COLLECTION_NAMESPACE.$COLLECTION_NAME" </dev/null)
echo "$listing"
[[ "$listing" == *"$work/collections/ansible_collections"* ]] || die "ansible-galaxy does not list the installed copy"
[[ "$listing" != *"$COLLECTIONS"* ]] || die "ansible-galaxy also sees the staged checkout ($COLLECTIONS)"

start_emulator "$work/venv/bin/python" "$installed/tests/emulator" "$work"
echo "installed-demo: emulator from the installed copy (pid $EMULATOR_PID) ready at $EMULATOR_ENDPOINT"

export ALIBABA_CLOUD_ACCESS_KEY_ID=EMULATOR-AK-0000
export ALIBABA_CLOUD_ACCESS_KEY_SECRET=emulator-secret-0000
log="$work/playbook.log"
rc=0
ansible-playbook "$COLLECTION_NAMESPACE.$COLLECTION_NAME.demo" \
    -e "appstreaming_endpoint=$EMULATOR_ENDPOINT" -e "appstreaming_sts_endpoint=$EMULATOR_STS_ENDPOINT" \
    </dev/null 2>&1 | tee "$log" || rc=$?
[[ $rc -eq 0 ]] || die "ansible-playbook $COLLECTION_NAMESPACE.$COLLECTION_NAME.demo failed (exit $rc)"
for expected in "aig-demo-large: 250 task(s) (250 FINISHED) - newest task FINISHED" "OTA updates done after" \
    "All 2 wave(s) of 0.0.5-R-20261110.101500 succeeded: 3 group(s)" "failed=0"; do
    grep -qF "$expected" "$log" || die "the demo's output lacks '$expected'"
done
echo "installed-demo: the demo ran from $installed"
