#!/usr/bin/env bash
# pytest tests/unit from a fresh staged copy of the collection
# (PYTHONPATH and ANSIBLE_COLLECTIONS_PATH = .build/collections). Extra
# arguments go to pytest (e.g. -k NAME, -x, --lf). Exit 5 (no tests) fails.
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
run_pytest unit "$@"
