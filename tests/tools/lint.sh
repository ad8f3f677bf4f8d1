#!/usr/bin/env bash
# ansible-lint --profile production over a fresh staged copy of the collection
# (roles, playbooks, meta, galaxy.yml), from .venv-lint. Config: .ansible-lint.
# Extra arguments go to ansible-lint.
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
isolate_env
lint_venv=$(ensure_venv lint)

bash "$ROOT/tests/tools/stage.sh" >/dev/null
cd "$STAGE" || exit 1
export VIRTUAL_ENV="$lint_venv"
export PATH="$lint_venv/bin:$PATH"
# No "a newer version is available" check (it needs the network).
export PRE_COMMIT=1
ansible-lint --version
ansible-lint --profile production --strict "$@" </dev/null
