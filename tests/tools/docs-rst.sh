#!/usr/bin/env bash
# Regenerate docs/docsite/rst/*.rst from the Markdown guides in docs/ (pandoc,
# from .venv-docs); with --check, only fail when they are not up to date.
# See tests/tools/docs_rst.py.
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
isolate_env
docs_venv=$(ensure_venv docs)
"$docs_venv/bin/python" "$ROOT/tests/tools/docs_rst.py" "$@"
