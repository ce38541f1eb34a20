#!/usr/bin/env bash
# Benchmarks SPEC §7 on a release build against a generated reference workload.
#   scripts/bench.sh [FUNCTIONS] [REVISIONS] [RUNS]      (defaults: 5000 500 5)
# Prints a Markdown table: median and spread (min–max) of RUNS runs, with the machine's core count.
set -euo pipefail
cd "$(dirname "$0")/.."
functions=${1:-5000}; revisions=${2:-500}; runs=${3:-5}
swift build -c release --product fnreg >/dev/null
fnreg=$PWD/.build/release/fnreg
work=$(mktemp -d /tmp/fnreg-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
repo=$work/repo
python3 scripts/generate-workload.py "$repo" --functions "$functions" --revisions "$revisions" >/dev/null

# time_cmd NAME SETUP COMMAND: runs SETUP then times COMMAND, RUNS times; prints "name|median|min|max".
time_cmd() {
  local name=$1 setup=$2 cmd=$3 times=()
  for _ in $(seq "$runs"); do
    eval "$setup"
    local start end
    start=$(date +%s.%N)
    eval "$cmd" >/dev/null
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v name="$name" '{ a[NR] = $1 } END { printf "| %s | %.3f s | %.3f–%.3f s |\n", name, a[int((NR + 1) / 2)], a[1], a[NR] }'
}

cd "$repo"
penultimate=$(git rev-parse HEAD~1)
# A database holding every commit but the last, to time the import of one commit.
"$fnreg" import --history --branch "$penultimate" --db "$work/base.db" >/dev/null
"$fnreg" import --history --db "$work/full.db" >/dev/null

echo "fnreg benchmark: $functions functions, $revisions revisions, $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), median of $runs runs"
echo
echo "| operation | median | spread |"
echo "|---|---|---|"
time_cmd "git floor: log --raw + cat-file of every changed blob" "true" \
  "git log --first-parent --raw --no-abbrev --format= main | awk '{print \$4}' | grep -v '^0*\$' | git cat-file --batch >/dev/null"
time_cmd "backfill $revisions commits (import --history)" "rm -f $work/b.db*" "$fnreg import --history --db $work/b.db"
time_cmd "import one commit (last commit, onto $((revisions - 1)))" "rm -f $work/one.db*; cp $work/base.db $work/one.db" "$fnreg import --commit HEAD --db $work/one.db"
time_cmd "import an unchanged work tree" "true" "$fnreg import --db $work/full.db"
time_cmd "export json prod at rev:$((revisions / 2))" "true" "$fnreg export json --env prod --at rev:$((revisions / 2)) --db $work/full.db"
time_cmd "export json prod at HEAD" "true" "$fnreg export json --env prod --db $work/full.db"
time_cmd "diff staging prod" "true" "$fnreg diff staging prod --db $work/full.db --format json"
time_cmd "validate the work tree" "true" "$fnreg validate . --today 2026-11-26 || true"
db_bytes=$(stat -c %s "$work/full.db")
doc_bytes=$(sqlite3 "$work/full.db" "SELECT sum(length(body)) FROM documents")
raw_bytes=$(git log --first-parent --raw --no-abbrev --format= main | awk '$6 ~ /\.json$/ {print $4}' | sort -u | grep -v '^0*$' | git cat-file --batch-check='%(objectsize)' | awk '{s+=$1} END {print s}')
echo
echo "database: $db_bytes bytes; distinct documents: $(sqlite3 "$work/full.db" 'SELECT count(*) FROM documents') canonical, $doc_bytes bytes canonical, $raw_bytes bytes as written in the files; ratio $(echo "scale=2; $db_bytes / $raw_bytes" | bc)"
