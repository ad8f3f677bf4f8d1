#!/usr/bin/env bash
# ansible-doc renders the docs of the five modules, the lookup and both roles from a
# fresh staged copy, on the newest (.venv) and the oldest (.venv-oldest)
# ansible-core, and each page shows what it must: its options, with their
# environment variables (an unknown name only warns and exits 0, so the
# output is checked, not just the exit status).
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
isolate_env
require_venv
oldest_venv=$(ensure_venv oldest)

bash "$ROOT/tests/tools/stage.sh" >/dev/null
export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export ANSIBLE_NOCOLOR=1
ns="$COLLECTION_NAMESPACE.$COLLECTION_NAME"
out="$BUILD/ansible-doc"
rm -rf "$out"
mkdir -p "$out"

# type:name:expected strings (|-separated)
PAGES=(
    "module:$ns.ota_task_info:app_instance_group_ids|access_key_id|ALIBABA_CLOUD_ACCESS_KEY_ID|ALIBABA_CLOUD_REGION_ID|ALICLOUD_REGION|ota_tasks|all_terminal|EXAMPLES"
    "module:$ns.ota_task_wait:wait_timeout|poll_interval|success_statuses|ALIBABA_CLOUD_SECURITY_TOKEN|failed_tasks|EXAMPLES"
    "module:$ns.app_instance_group_info:app_instance_group_ids|release_notes|update_available|new_ota_version|EXAMPLES"
    "module:$ns.ota_task:ota_version|start_time|in_flight_task_ids|ModifyAppInstanceGroupAttribute|EXAMPLES"
    "lookup:$ns.ota_tasks:_terms|statuses|ansible_appstreaming_region_id|ALIBABA_CLOUD_ACCESS_KEY_ID|ALICLOUD_ACCESS_KEY|ALIBABA_CLOUD_REGION_ID|EXAMPLES"
    "module:$ns.ota_rollout_plan:batch_size|canary|waves|skipped_groups|EXAMPLES"
    "role:$ns.ota_rollout:ota_rollout_ota_version|ota_rollout_waves|ota_rollout_canary|ota_rollout_batch_size|ota_rollout_wave_timeout"
    "role:$ns.ota_wait:ota_wait_app_instance_group_ids|ota_wait_timeout|ota_wait_fail_fast|ALIBABA_CLOUD_ACCESS_KEY_ID|ALIBABA_CLOUD_REGION_ID"
)
bad=0
for venv in "$VENV" "$oldest_venv"; do
    core=$("$venv/bin/python" -c 'import ansible.release; print(ansible.release.__version__)')
    for page in "${PAGES[@]}"; do
        IFS=: read -r type name expected <<<"$page"
        file="$out/$core-$type-$name.txt"
        if ! "$venv/bin/ansible-doc" -t "$type" "$name" >"$file" 2>"$file.err" </dev/null; then
            echo "FAIL: ansible-doc -t $type $name (ansible-core $core) exited non-zero:" >&2
            cat "$file.err" >&2
            bad=1
            continue
        fi
        missing=()
        IFS='|' read -r -a words <<<"$expected"
        for word in "${words[@]}"; do
            grep -qF -- "$word" "$file" || missing+=("$word")
        done
        # ansible-doc rewraps text: also look for the words with the line breaks removed.
        if ((${#missing[@]})); then
            joined=$(tr -s ' \n' ' ' <"$file")
            still=()
            for word in "${missing[@]}"; do
                [[ "$joined" == *"$word"* ]] || still+=("$word")
            done
            missing=("${still[@]}")
        fi
        if ((${#missing[@]})) || grep -qi "not found\|could not be found" "$file.err"; then
            echo "FAIL: ansible-doc -t $type $name (ansible-core $core) lacks: ${missing[*]}" >&2
            cat "$file.err" >&2
            bad=1
        else
            echo "ok: ansible-doc -t $type $name (ansible-core $core): $(wc -l <"$file") lines"
        fi
    done
done
exit "$bad"
