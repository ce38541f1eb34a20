#!/usr/bin/env bash
# The main job on this repository's own examples: validate, import the git history (or the work tree),
# then show what a platform team asks of the registry. Uses the default database
# (.fnreg/registry.sqlite3 under the repository root) unless FNREG_DB is set.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c debug --product fnreg >/dev/null
fnreg=.build/debug/fnreg
$fnreg validate .
if git rev-parse --git-dir >/dev/null 2>&1 && git rev-parse HEAD >/dev/null 2>&1; then
  $fnreg import . --history --skip-invalid
fi
$fnreg import .
$fnreg functions --env prod
$fnreg diff staging prod
$fnreg parity
$fnreg show device_status --env prod --origin
$fnreg query "SELECT environment, name, config->>'memory_size' AS memory_mb FROM functions ORDER BY 1, 2"
$fnreg export json --env prod | sed -n '1,20p'
$fnreg doctor
