#!/usr/bin/env bash
# ansible-lint --profile production over a fresh staged copy of the collection
# (roles, playbooks, meta, galaxy.yml), from .venv-lint. Config: .ansible-lint.
# Extra arguments go to ansible-lint.
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
isolate_env
tool_env lint
# ansible-lint finds the collection itself (it is the current directory); with
# a collections path of our own it warns about the second copy it sees.
unset ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_SCAN_SYS_PATH
cd "$STAGE" || exit 1
# No "a newer version is available" check (it needs the network).
export PRE_COMMIT=1
ansible-lint --version
ansible-lint --profile production --strict "$@" </dev/null
