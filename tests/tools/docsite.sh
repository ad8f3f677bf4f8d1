#!/usr/bin/env bash
# Build the HTML docsite with antsibull-docs and Sphinx (from .venv-docs) into
# .build/docsite/build/html/: the module, lookup and role pages and the user
# guides (docs/docsite/extra-docs.yml). The Sphinx project is generated afresh
# by `antsibull-docs sphinx-init` each time (intersphinx off: no network);
# Sphinx runs with -W (a warning fails the build). Then check the pages: each
# plugin and role page shows its options with their environment variables, the
# guides are there and the index links them.
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
isolate_env
tool_env docs

site="$BUILD/docsite"
rm -rf "$site"
# antsibull-docs wants a directory that only its owner can write to.
mkdir -p "$BUILD"
mkdir -m 700 "$site"
ns="$COLLECTION_NAMESPACE.$COLLECTION_NAME"
antsibull-docs sphinx-init --use-current --fail-on-error --no-add-antsibull-docs-version \
    --dest-dir "$site" --project "$ns" --title "$ns collection documentation" \
    --html-short-title "$ns" --copyright "$ns contributors" "$ns" >/dev/null
# No network here, so no intersphinx inventory to fetch: the few labels of the
# Ansible docsite that antsibull-docs' pages refer to come from a small local
# inventory instead (links still go to docs.ansible.com). A new such label makes
# Sphinx warn "undefined label": add it to ANSIBLE_LABELS below.
python - "$site/ansible_devel.inv" <<'PY'
import sys, zlib
ANSIBLE_LABELS = {
    'action_plugins': ('plugins/action.html#action-plugins', 'Action plugins'),
    'ansible_configuration_settings': ('reference_appendices/config.html#ansible-configuration-settings',
                                       'Ansible Configuration Settings'),
    'common_return_values': ('reference_appendices/common_return_values.html#common-return-values', 'Return Values'),
}
body = ''.join('%s std:label -1 %s %s\n' % (name, uri, title) for name, (uri, title) in sorted(ANSIBLE_LABELS.items()))
with open(sys.argv[1], 'wb') as f:
    f.write(b'# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n'
            b'# The remainder of this file is compressed using zlib.\n')
    f.write(zlib.compress(body.encode()))
PY
cat >>"$site/conf.py" <<'CONF'
intersphinx_mapping = {
    'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', '../ansible_devel.inv'),
}
CONF
bash "$site/build.sh" </dev/null || die "the docsite build failed"

html="$site/build/html"
pages="$html/collections/$COLLECTION_NAMESPACE/$COLLECTION_NAME"
bad=0
# page:expected strings (|-separated), searched in the page's text
CHECKS=(
    "index.html:ota_task_info|ota_task_wait|ota_tasks|ota_wait|Getting started|Gating a rollout with ota_wait|Using the lookup|Performance|Failure behaviour|emulator"
    "ota_task_info_module.html:app_instance_group_ids|access_key_id|region_id|ALIBABA_CLOUD_ACCESS_KEY_ID|ALICLOUD_ACCESS_KEY|ALIBABA_CLOUD_REGION_ID|ALICLOUD_REGION|ALIBABA_CLOUD_PROFILE"
    "ota_task_wait_module.html:wait_timeout|success_statuses|ALIBABA_CLOUD_ACCESS_KEY_ID|ALIBABA_CLOUD_REGION_ID"
    "ota_tasks_lookup.html:statuses|access_key_id|Environment variable: ALIBABA_CLOUD_ACCESS_KEY_ID|Environment variable: ALICLOUD_ACCESS_KEY|Environment variable: ALIBABA_CLOUD_REGION_ID|Variable: ansible_appstreaming_region_id"
    "ota_wait_role.html:ota_wait_app_instance_group_ids|ota_wait_timeout|ota_wait_region_id|ALIBABA_CLOUD_ACCESS_KEY_ID|ALIBABA_CLOUD_REGION_ID|ALICLOUD_REGION"
    "docsite/getting-started.html:Credentials|Regions and endpoints|emulator|voluptuous"
    "docsite/gating-a-rollout.html:ota_wait_result|ota_wait_fail_fast"
    "docsite/lookup.html:ansible_appstreaming_region_id|set_fact"
    "docsite/event-driven-gating.html:ota_task_events|ota_gate_success_playbook|Java 17|decision environment"
)
for entry in "${CHECKS[@]}"; do
    page=${entry%%:*}
    file="$pages/$page"
    if [[ ! -f "$file" ]]; then
        echo "FAIL: no page ${file#"$html"/}" >&2
        bad=1
        continue
    fi
    # The page's text, tags removed and whitespace folded.
    text=$(sed -e 's/<[^>]*>//g' "$file" | tr -s ' \n\t' ' ')
    missing=()
    IFS='|' read -r -a words <<<"${entry#*:}"
    for word in "${words[@]}"; do
        [[ "$text" == *"$word"* ]] || missing+=("$word")
    done
    if ((${#missing[@]})); then
        echo "FAIL: ${file#"$html"/} lacks: ${missing[*]}" >&2
        bad=1
    else
        echo "ok: ${file#"$html"/}"
    fi
done
[[ $bad -eq 0 ]] && echo "docsite: $html/index.html"
exit "$bad"
