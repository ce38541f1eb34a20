"""scripts/deploy_lambda.sh against a moto server on 127.0.0.1: upload by code hash, update the
function, and upload nothing the second time; clear errors for a missing function or environment."""
import hashlib
import json
import os
import pathlib
import subprocess
import zipfile

import boto3
import pytest
from moto.server import ThreadedMotoServer

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "deploy_lambda.sh"


@pytest.fixture(scope="module")
def endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def environment(endpoint):
    env = dict(os.environ, AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1", ARTIFACT_BUCKET="artifacts")
    return env


def client(service, endpoint):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")


def test_uploads_by_hash_once_and_updates_the_function(endpoint):
    s3, lam, iam = client("s3", endpoint), client("lambda", endpoint), client("iam", endpoint)
    s3.create_bucket(Bucket="artifacts")
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))["Role"]["Arn"]
    buf = pathlib.Path("/tmp/fnreg-empty.zip")
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "")
    lam.create_function(FunctionName="dev-device_status", Runtime="python3.13", Role=role, Handler="index.lambda_handler",
                        Code={"ZipFile": buf.read_bytes()})
    first = subprocess.run([str(SCRIPT), "dev", "device/device_status"], env=environment(endpoint), capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert "uploaded s3://artifacts/device_status/" in first.stdout
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="artifacts")["Contents"]]
    assert len(keys) == 1 and keys[0].startswith("device_status/") and keys[0].endswith(".zip")
    second = subprocess.run([str(SCRIPT), "dev", "device/device_status"], env=environment(endpoint), capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    assert "already uploaded" in second.stdout
    assert len(s3.list_objects_v2(Bucket="artifacts")["Contents"]) == 1
    # The same files give the same bytes: delete the archive, deploy again, compare.
    body = s3.get_object(Bucket="artifacts", Key=keys[0])["Body"].read()
    s3.delete_object(Bucket="artifacts", Key=keys[0])
    third = subprocess.run([str(SCRIPT), "dev", "device/device_status"], env=environment(endpoint), capture_output=True, text=True)
    assert third.returncode == 0 and "uploaded" in third.stdout
    assert hashlib.sha256(s3.get_object(Bucket="artifacts", Key=keys[0])["Body"].read()).digest() == hashlib.sha256(body).digest()
    config = lam.get_function(FunctionName="dev-device_status")
    assert config["Configuration"]["FunctionName"] == "dev-device_status"


def test_clear_errors(endpoint):
    r = subprocess.run([str(SCRIPT), "dev", "device/nope"], env=environment(endpoint), capture_output=True, text=True)
    assert r.returncode == 3 and "no function at lambda_functions/device/nope" in r.stderr
    r = subprocess.run([str(SCRIPT), "qa", "device/device_status"], env=environment(endpoint), capture_output=True, text=True)
    assert r.returncode == 3 and "unknown environment" in r.stderr
    r = subprocess.run([str(SCRIPT), "dev"], env=environment(endpoint), capture_output=True, text=True)
    assert r.returncode == 2
