#!/usr/bin/env bash
# What `make test` (and CI) runs: every gate in order, each under a section
# header, all of them even when one fails, then one summary line per gate
# (PASS/FAIL and seconds). Exits non-zero if any gate failed.
# Usage: test.sh [GATE...]   (default: all gates; see GATES below)
# e.g. tests/tools/test.sh lint changelog
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
set +e

TOOLS="$ROOT/tests/tools"
# name:script[:arguments] (run with bash from the checkout root)
GATES=(
    "venv:$TOOLS/venv.sh:all"
    "stage:$TOOLS/stage.sh"
    "sanity:$TOOLS/sanity.sh"
    "units:$TOOLS/units.sh"
    "integration:$TOOLS/integration.sh"
    "sanity-oldest:$TOOLS/sanity-oldest.sh"
    "units-oldest:$TOOLS/units-oldest.sh"
    "integration-oldest:$TOOLS/integration-oldest.sh"
    "eda:$TOOLS/eda.sh"
    "lint:$TOOLS/lint.sh"
    "docs-lint:$TOOLS/docs-lint.sh"
    "changelog:$TOOLS/changelog.sh"
    "ansible-doc:$TOOLS/ansible-doc.sh"
    "build:$TOOLS/build.sh"
    "importer:$TOOLS/importer.sh"
    "ee:$TOOLS/ee.sh"
    "docsite:$TOOLS/docsite.sh"
    "installed-demo:$TOOLS/installed-demo.sh"
)

selected=("$@")
names=() results=() durations=()
failed=0

gate_selected() {
    local want
    [[ ${#selected[@]} -eq 0 ]] && return 0
    for want in "${selected[@]}"; do
        [[ "$want" == "$1" ]] && return 0
    done
    return 1
}

for want in "${selected[@]}"; do
    found=0
    for gate in "${GATES[@]}"; do
        [[ "${gate%%:*}" == "$want" ]] && found=1
    done
    [[ $found -eq 1 ]] || die "unknown gate '$want' (gates: $(printf '%s ' "${GATES[@]%%:*}"))"
done

# A fresh private HOME etc. for this whole run (ansible-test's cache is kept).
isolate_env

for gate in "${GATES[@]}"; do
    name=${gate%%:*}
    script=${gate#*:}
    args=()
    if [[ "$script" == *:* ]]; then
        read -r -a args <<<"${script#*:}"
        script=${script%%:*}
    fi
    gate_selected "$name" || continue
    echo
    echo "==================== $name ===================="
    start=$EPOCHREALTIME
    (cd "$ROOT" && bash "$script" "${args[@]}")
    rc=$?
    end=$EPOCHREALTIME
    names+=("$name")
    durations+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }')")
    if [[ $rc -eq 0 ]]; then
        results+=(PASS)
    else
        results+=("FAIL")
        failed=$((failed + 1))
        echo "---- $name: FAILED (exit $rc)"
    fi
done

echo
echo "==================== summary ===================="
for i in "${!names[@]}"; do
    printf '%-4s  %-20s %7ss\n' "${results[$i]}" "${names[$i]}" "${durations[$i]}"
done
if [[ $failed -eq 0 ]]; then
    echo "RESULT: all ${#names[@]} gates passed"
    exit 0
fi
echo "RESULT: $failed of ${#names[@]} gates failed"
exit 1
