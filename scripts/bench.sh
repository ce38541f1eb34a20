#!/usr/bin/env bash
# The benchmark harness: see scripts/bench.py (writes BENCHMARKS.md).  scripts/bench.sh [--scaling] [--runs N]
exec python3 "$(dirname "$0")/bench.py" "$@"
