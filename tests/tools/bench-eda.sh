#!/usr/bin/env bash
# The event source's performance (tests/bench/eda_bench.py): calls per poll and memory and CPU per poll
# for 1,000 groups x 20 tasks, change -> event latency; against the emulator in its own process, from a
# fresh staged copy. Measures time, so it wants a quiet machine (like `make bench`). Extra arguments go
# to eda_bench.py (e.g. --groups 100 --polls 5). Exit 1: a target was missed.
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
isolate_env
require_venv
bash "$ROOT/tests/tools/stage.sh" >/dev/null
export PYTHONPATH="$COLLECTIONS"
export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
cd "$STAGE" || exit 1
exec "$VENV/bin/python" tests/bench/eda_bench.py --out "$BUILD/bench" "$@"
