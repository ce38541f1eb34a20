#!/usr/bin/env bash
# The main job on this repository's own examples: validate, record the branch's history (or the
# directory), then show what a platform team asks of the registry. Uses the repository's default
# database (.git/fnreg/registry.sqlite3; outside git, under ~/.local/state/fnreg/) unless FNREG_DB is set.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== building fnreg (swift build; the first build takes about a minute)" >&2
swift build -c debug --product fnreg 2>&1 | grep -E "^(Compiling|Build complete|error|warning: )" >&2 || true
fnreg=.build/debug/fnreg
[ -x "$fnreg" ] || { echo "demo: the build failed" >&2; exit 1; }
run() { echo; echo "\$ fnreg $*"; "$fnreg" "$@"; }
run validate .
if git rev-parse --git-dir >/dev/null 2>&1 && git rev-parse HEAD >/dev/null 2>&1; then
  run import --history --skip-invalid      # records the branch (every first-parent commit, once)
else
  run import .                             # a plain directory: records its files
fi
run status
run functions --env prod
run diff staging prod
run diff prod prod@worktree                # what the work tree would change in prod; writes nothing
run parity
run show device_status --env prod --origin
run query "SELECT environment, name, config->>'memory_size' AS memory_mb FROM functions ORDER BY 1, 2"
echo; echo "\$ fnreg export json --env prod | head -20"; "$fnreg" export json --env prod | sed -n '1,20p'
run doctor
