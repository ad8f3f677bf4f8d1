#!/usr/bin/env bash
# antsibull-docs lint-collection-docs --plugin-docs on a fresh staged copy
# (plugin and role docs, docs/docsite/extra-docs.yml, links.yml, the RST
# guides), then check that docs/docsite/rst/*.rst are up to date with the
# Markdown guides they are generated from (docs_rst.py --check). From .venv-docs.
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
isolate_env
tool_env docs
rc=0
(cd "$STAGE" && antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs all .) || rc=1
python "$ROOT/tests/tools/docs_rst.py" --check || rc=1
exit "$rc"
