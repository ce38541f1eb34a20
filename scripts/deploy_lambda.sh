#!/usr/bin/env bash
# Deploys one function's code:  scripts/deploy_lambda.sh ENV GROUP/FUNCTION
#
# Builds a reproducible zip of the function's code (the files beside function.json: same files, same
# bytes), uploads it to s3://$ARTIFACT_BUCKET/<name>/<code hash>.zip unless that key exists, and points
# the Lambda function <ENV>-<name> at it. The key uses the same code_hash fnreg records, so Terraform
# exports of any snapshot find their code. Honours AWS_ENDPOINT_URL (and the AWS CLI's usual settings).
set -euo pipefail

usage() { echo "usage: $0 ENV GROUP/FUNCTION   (with ARTIFACT_BUCKET set)" >&2; exit 2; }
[ $# -eq 2 ] || usage
env=$1; fn=$2
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/lambda_functions/$fn"
: "${ARTIFACT_BUCKET:?set ARTIFACT_BUCKET to the S3 bucket of code archives}"
[ -f "$dir/function.json" ] || { echo "deploy_lambda: no function at lambda_functions/$fn (missing function.json)" >&2; exit 3; }
[ -d "$root/terraform/environments/$env" ] || {
  echo "deploy_lambda: unknown environment \"$env\"; known: $(ls "$root/terraform/environments" | grep -v '\.json$' | tr '\n' ' ')" >&2; exit 3; }
command -v aws >/dev/null || { echo "deploy_lambda: the AWS CLI is required" >&2; exit 3; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Name, code hash and zip in one deterministic step (sorted paths, fixed timestamps and permissions).
python3 - "$dir" "$work/code.zip" > "$work/meta" <<'PY'
import hashlib, json, os, subprocess, sys, zipfile
directory, out = sys.argv[1], sys.argv[2]
name = json.load(open(os.path.join(directory, "function.json")))["name"]
try:  # in a git checkout, the files git knows (ignored files such as __pycache__ excluded), like fnreg
    listed = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard", "--", "."], cwd=directory,
                            check=True, capture_output=True).stdout.decode().split("\0")
    files = [f for f in listed if f and os.path.isfile(os.path.join(directory, f))]
except (subprocess.CalledProcessError, FileNotFoundError):
    files = [os.path.relpath(os.path.join(d, f), directory) for d, _, fs in os.walk(directory) for f in fs]
files = sorted((f for f in files if f != "function.json"), key=lambda p: p.encode())
digest = hashlib.sha256()
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for rel in files:
        data = open(os.path.join(directory, rel), "rb").read()
        # fnreg's code_hash: <path> NUL <byte count> NUL <bytes>, in sorted path order.
        digest.update(rel.encode() + b"\0" + str(len(data)).encode() + b"\0" + data)
        info = zipfile.ZipInfo(rel, date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, data)
print(name, digest.hexdigest())
PY
read -r name hash < "$work/meta"
key="$name/$hash.zip"
function_name="$env-$name"

if aws s3api head-object --bucket "$ARTIFACT_BUCKET" --key "$key" >/dev/null 2>&1; then
  echo "s3://$ARTIFACT_BUCKET/$key already uploaded (code_hash sha256:$hash)"
else
  aws s3api put-object --bucket "$ARTIFACT_BUCKET" --key "$key" --body "$work/code.zip" >/dev/null
  echo "uploaded s3://$ARTIFACT_BUCKET/$key (code_hash sha256:$hash)"
fi
aws lambda update-function-code --function-name "$function_name" --s3-bucket "$ARTIFACT_BUCKET" --s3-key "$key" >/dev/null
echo "updated $function_name to sha256:$hash"
