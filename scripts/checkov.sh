#!/usr/bin/env bash
# checkov on terraform/ with the examples' exported variables; fails on any failed check (skips must be
# justified inline with #checkov:skip=ID:reason). checkov pins an old boto3, so it lives in its own venv.
#   scripts/checkov.sh FNREG_BINARY DATABASE
set -euo pipefail
cd "$(dirname "$0")/.."
fnreg=$1; db=$2
venv=${CHECKOV_VENV:-/tmp/fnreg-checkov-venv}
[ -x "$venv/bin/checkov" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q checkov; }
for env in dev staging prod; do "$fnreg" export terraform --env "$env" --db "$db" >/dev/null; done
trap 'rm -f terraform/environments/*/functions.auto.tfvars.json' EXIT
"$venv/bin/checkov" -d terraform --framework terraform --skip-download --compact --quiet -o cli | tee /tmp/fnreg-checkov.txt
grep -q "Failed checks: 0" /tmp/fnreg-checkov.txt
