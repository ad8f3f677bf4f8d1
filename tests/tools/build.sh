#!/usr/bin/env bash
# ansible-galaxy collection build from a fresh staged copy into .build/dist/,
# then check the tarball: what users need is in it (the emulator and its
# README, docs, changelog, EE metadata, requirements), dev-only files are not
# (galaxy.yml build_ignore). Prints the tarball's path on the last line.
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
isolate_env
require_venv

dist="$BUILD/dist"
rm -rf "$dist"
mkdir -p "$dist"
bash "$ROOT/tests/tools/stage.sh" >/dev/null
(cd "$STAGE" && "$VENV/bin/ansible-galaxy" collection build --output-path "$dist" >&2) \
    || die "ansible-galaxy collection build failed"
tarball=$(echo "$dist"/*.tar.gz)
[[ -f "$tarball" ]] || die "no tarball in $dist"

listing="$dist/contents.txt"
tar -tzf "$tarball" | sed 's|^\./||; s|/$||' | sort >"$listing"
missing=() unwanted=()
for path in MANIFEST.json FILES.json README.md LICENSE requirements.txt bindep.txt \
    meta/runtime.yml meta/execution-environment.yml examples/execution-environment.yml \
    changelogs/changelog.yaml CHANGELOG.rst \
    plugins/modules/ota_task_info.py plugins/modules/ota_task_wait.py plugins/action/ota_task_wait.py \
    plugins/modules/app_instance_group_info.py plugins/modules/ota_task.py plugins/modules/ota_rollout_plan.py \
    plugins/lookup/ota_tasks.py roles/ota_wait/meta/argument_specs.yml roles/ota_wait/README.md \
    roles/ota_rollout/meta/argument_specs.yml roles/ota_rollout/README.md \
    playbooks/demo.yml tests/emulator/README.md tests/emulator/ota_emulator.py tests/emulator/sample_data.json \
    docs/README.md docs/getting-started.md docs/gating-a-rollout.md docs/rolling-out-in-waves.md docs/lookup.md docs/docsite/links.yml \
    docs/event-driven-gating.md extensions/eda/plugins/event_source/ota_task_events.py extensions/eda/rulebooks/ota_gate.yml \
    playbooks/ota_gate_report.yml; do
    grep -qxF "$path" "$listing" || missing+=("$path")
done
while IFS= read -r path; do
    case "$path" in
    .ci | .ci/* | .venv* | .build | .build/* | .ansible | .ansible/* | .gitignore | .ansible-lint | Makefile | \
        tests/tools | tests/tools/* | tests/output | tests/output/* | changelogs/fragments/* | *.tar.gz | \
        *__pycache__* | *.pyc | .pytest_cache* | .hypothesis* | .git | .git/*)
        unwanted+=("$path")
        ;;
    esac
done <"$listing"
((${#missing[@]} == 0)) || die "the tarball lacks: ${missing[*]}"
((${#unwanted[@]} == 0)) || die "the tarball has dev-only files: ${unwanted[*]}"
echo "build: $(wc -l <"$listing") entries, $(du -k "$tarball" | cut -f1) KiB" >&2
echo "$tarball"
