#!/usr/bin/env bash
# Regenerate what the doc fragment, both roles' argument specs, the event source's DOCUMENTATION and the precedence
# table of docs/getting-started.md say about the connection options, from their one declaration in
# plugins/module_utils/options.py (see tests/tools/connection_options.py); with --check, only fail when a file is not
# up to date. From .venv, importing a fresh staged copy of the collection.
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
isolate_env
require_venv
bash "$ROOT/tests/tools/stage.sh" >/dev/null
PYTHONPATH="$COLLECTIONS" "$VENV/bin/python" "$ROOT/tests/tools/connection_options.py" --root "$ROOT" "$@"
