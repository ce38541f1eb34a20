"""scripts/deploy_lambda.sh against a moto server on 127.0.0.1: the package fnreg builds is uploaded at
the key of the exported code_hash (a function with a symbolic link to shared code included), once;
the Lambda function is updated; clear errors for a missing function or environment."""
import hashlib
import io
import json
import os
import pathlib
import shutil
import subprocess
import zipfile

import boto3
import pytest
from moto.server import ThreadedMotoServer

ROOT = pathlib.Path(__file__).resolve().parents[2]
FNREG = os.environ.get("FNREG") or str(ROOT / ".build" / "debug" / "fnreg")


@pytest.fixture(scope="module")
def endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def git(repo, *args):
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@e.com", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """A configuration repository with the deploy script and a function whose shared.py is a link."""
    if not os.access(FNREG, os.X_OK):
        pytest.skip(f"no fnreg binary at {FNREG} (run swift build first, or set FNREG)")
    repo = tmp_path_factory.mktemp("deploy-repo")
    (repo / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "deploy_lambda.sh", repo / "scripts" / "deploy_lambda.sh")
    fn = repo / "lambda_functions" / "device" / "device_status"
    fn.mkdir(parents=True)
    (fn / "function.json").write_text(json.dumps({"name": "device_status", "description": "d", "runtime": "python3.13",
                                                  "handler": "index.lambda_handler"}))
    (fn / "index.py").write_text("from shared import VERSION\n")
    (repo / "common").mkdir()
    (repo / "common" / "shared.py").write_text("VERSION = 7\n")
    os.symlink("../../../common/shared.py", fn / "shared.py")
    (repo / "terraform" / "environments" / "dev").mkdir(parents=True)
    (repo / "terraform" / "environments" / "dev" / "main.tf").write_text("# dev\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    env = dict(os.environ, FNREG_DB=str(repo / "registry.sqlite3"))
    subprocess.run([FNREG, "import", "--history"], cwd=repo, env=env, check=True, capture_output=True)
    subprocess.run([FNREG, "export", "terraform", "--env", "dev"], cwd=repo, env=env, check=True, capture_output=True)
    return repo


def environment(endpoint, repo):
    return dict(os.environ, AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                AWS_DEFAULT_REGION="us-east-1", ARTIFACT_BUCKET="artifacts", FNREG=FNREG, FNREG_DB=str(repo / "registry.sqlite3"))


def client(service, endpoint):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")


def deploy(endpoint, repo, *args):
    return subprocess.run([str(repo / "scripts" / "deploy_lambda.sh"), *args], env=environment(endpoint, repo), capture_output=True, text=True)


def test_uploads_the_package_at_the_exported_code_hash_once(endpoint, repo):
    s3, lam, iam = client("s3", endpoint), client("lambda", endpoint), client("iam", endpoint)
    s3.create_bucket(Bucket="artifacts")
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))["Role"]["Arn"]
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("index.py", "")
    lam.create_function(FunctionName="dev-device_status", Runtime="python3.13", Role=role, Handler="index.lambda_handler",
                        Code={"ZipFile": empty.getvalue()})
    exported = json.loads((repo / "terraform/environments/dev/functions.auto.tfvars.json").read_text())
    code_hash = exported["functions"]["device_status"]["code_hash"]
    first = deploy(endpoint, repo, "dev", "device/device_status")
    assert first.returncode == 0, first.stderr
    assert "uploaded s3://artifacts/device_status/" in first.stdout
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="artifacts")["Contents"]]
    assert keys == [f"device_status/{code_hash.removeprefix('sha256:')}.zip"], "the key is the exported code_hash"
    body = s3.get_object(Bucket="artifacts", Key=keys[0])["Body"].read()
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        assert sorted(z.namelist()) == ["index.py", "shared.py"]
        assert z.read("shared.py") == b"VERSION = 7\n", "the link's target bytes, not its target text"
        # The zip's files hash to the code_hash: <path> NUL <size> NUL <bytes>, sorted by path.
        digest = hashlib.sha256()
        for name in sorted(z.namelist(), key=lambda p: p.encode()):
            data = z.read(name)
            digest.update(name.encode() + b"\0" + str(len(data)).encode() + b"\0" + data)
        assert "sha256:" + digest.hexdigest() == code_hash
    second = deploy(endpoint, repo, "dev", "device_status")
    assert second.returncode == 0, second.stderr
    assert "already uploaded" in second.stdout
    assert len(s3.list_objects_v2(Bucket="artifacts")["Contents"]) == 1
    # The same files give the same bytes: delete the archive, deploy again, compare.
    s3.delete_object(Bucket="artifacts", Key=keys[0])
    third = deploy(endpoint, repo, "dev", "device_status")
    assert third.returncode == 0 and "uploaded" in third.stdout
    assert s3.get_object(Bucket="artifacts", Key=keys[0])["Body"].read() == body
    assert lam.get_function(FunctionName="dev-device_status")["Configuration"]["FunctionName"] == "dev-device_status"


def test_clear_errors(endpoint, repo):
    r = deploy(endpoint, repo, "dev", "device/nope")
    assert r.returncode == 3 and "no function at lambda_functions/device/nope" in r.stderr
    r = deploy(endpoint, repo, "qa", "device_status")
    assert r.returncode == 3 and "unknown environment" in r.stderr
    r = deploy(endpoint, repo, "dev", "nope")
    assert r.returncode == 3 and "Unknown function" in r.stderr
    r = deploy(endpoint, repo, "dev")
    assert r.returncode == 2
