#!/usr/bin/env bash
# Deploys one function's code:  scripts/deploy_lambda.sh ENV FUNCTION [POINT]
#
# FUNCTION is the function's name (or its directory below lambda_functions/, e.g. device/device_status).
# The package is built by `fnreg package` from the registry: exactly the files the function's code_hash
# covers (symbolic links resolved within the repository), as a reproducible zip, at POINT (default: the
# revision in terraform/environments/ENV/functions.auto.tfvars.json, else HEAD). It is uploaded to
# s3://$ARTIFACT_BUCKET/<name>/<code_hash hex>.zip unless that key exists (the key Terraform reads for
# that code_hash), and the Lambda function <ENV>-<name> is pointed at it. No hashing happens here: the
# exported code_hash, the uploaded key and the zip's content are one thing.
# Honours FNREG (the fnreg binary, default: fnreg on PATH), FNREG_DB, AWS_ENDPOINT_URL and the AWS CLI's settings.
set -euo pipefail

usage() { echo "usage: $0 ENV FUNCTION [POINT]   (with ARTIFACT_BUCKET set)" >&2; exit 2; }
[ $# -ge 2 ] && [ $# -le 3 ] || usage
env=$1; fn=$2; point=${3:-}
root=$(cd "$(dirname "$0")/.." && pwd)
fnreg=${FNREG:-fnreg}
: "${ARTIFACT_BUCKET:?set ARTIFACT_BUCKET to the S3 bucket of code archives}"
command -v "$fnreg" >/dev/null || { echo "deploy_lambda: fnreg is required (install it, or set FNREG to its path)" >&2; exit 3; }
command -v aws >/dev/null || { echo "deploy_lambda: the AWS CLI is required" >&2; exit 3; }
[ -d "$root/terraform/environments/$env" ] || {
  echo "deploy_lambda: unknown environment \"$env\"; known: $(ls "$root/terraform/environments" | grep -v '\.json$' | tr '\n' ' ')" >&2; exit 3; }

name=$fn
if [[ "$fn" == */* ]]; then
  [ -f "$root/lambda_functions/$fn/function.json" ] || { echo "deploy_lambda: no function at lambda_functions/$fn (missing function.json)" >&2; exit 3; }
  name=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["name"])' "$root/lambda_functions/$fn/function.json")
fi
inputs="$root/terraform/environments/$env/functions.auto.tfvars.json"
if [ -z "$point" ] && [ -f "$inputs" ]; then
  point="rev:$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["registry_snapshot"]["revision"])' "$inputs")"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
hash=$("$fnreg" package "$name" ${point:+--at "$point"} --out "$work/code.zip")
if [ -f "$inputs" ]; then
  exported=$(python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))["functions"]; print(f[sys.argv[2]]["code_hash"] if sys.argv[2] in f else "")' "$inputs" "$name")
  if [ -n "$exported" ] && [ "$exported" != "$hash" ]; then
    echo "deploy_lambda: the package of $name at ${point:-HEAD} is $hash, but $inputs names $exported; export and package the same revision" >&2
    exit 3
  fi
fi
key="$name/${hash#sha256:}.zip"
function_name="$env-$name"

if aws s3api head-object --bucket "$ARTIFACT_BUCKET" --key "$key" >/dev/null 2>&1; then
  echo "s3://$ARTIFACT_BUCKET/$key already uploaded (code_hash $hash)"
else
  aws s3api put-object --bucket "$ARTIFACT_BUCKET" --key "$key" --body "$work/code.zip" >/dev/null
  echo "uploaded s3://$ARTIFACT_BUCKET/$key (code_hash $hash)"
fi
aws lambda update-function-code --function-name "$function_name" --s3-bucket "$ARTIFACT_BUCKET" --s3-key "$key" >/dev/null
echo "updated $function_name to $hash"
