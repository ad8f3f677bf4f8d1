#!/usr/bin/env bash
# tests/tools/integration.sh on the oldest ansible-core meta/runtime.yml claims: the same
# gate from .venv-oldest (tests/tools/requirements/oldest.txt) instead of .venv.
# Extra arguments go to integration.sh.
export APPSTREAMING_VENV_NAME=oldest
exec bash "$(dirname "${BASH_SOURCE[0]}")/integration.sh" "$@"
