#!/usr/bin/env python3
"""Generates a deterministic configuration repository as a real git repository (SPEC §7 workload).

  scripts/generate-workload.py OUT_DIR [--functions 5000] [--revisions 500] [--seed 1]

Commit 1 holds every function (function.json + index.py + requirements.txt), three environments
(dev, staging, prod) with an environment.json each and overrides for about 10% of functions per
environment. Every later commit changes 1-20 documents: function.json edits, code edits, override
edits/additions/removals, and now and then an environment.json edit. Written with git fast-import.
"""
import argparse, json, os, random, subprocess

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--functions", type=int, default=5000)
p.add_argument("--revisions", type=int, default=500)
p.add_argument("--seed", type=int, default=1)
a = p.parse_args()
rng = random.Random(a.seed)
ENVS = ["dev", "staging", "prod"]
RUNTIMES = ["python3.12", "python3.13", "nodejs22.x", "java21"]

def function(i, version=0):
    name = f"fn_{i:05d}"
    doc = {
        "name": name,
        "description": f"Function {i} of the benchmark workload, handling request type {i % 97}",
        "runtime": RUNTIMES[i % len(RUNTIMES)],
        "handler": "index.handler",
        "timeout": 3 + (i + version) % 300,
        "memory_size": 128 * (1 + (i + version) % 8),
        "layers": [f"arn:aws:lambda:us-east-1:123456789012:layer:shared-utils:{1 + version % 5}"],
        "environment_variables": {"LOG_LEVEL": "INFO", "TABLE": f"table_{i}", "VERSION": str(version)},
        "additional_policies": [{"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
                                 "Resource": f"arn:aws:dynamodb:us-east-1:123456789012:table/table_{i}"}],
        "tags": {"Service": f"service-{i % 20}", "Owner": f"team-{i % 7}"},
    }
    if i % 3 == 0:
        doc["api"] = {"path": f"/things/{i}/{{id}}", "methods": ["GET", "POST"], "authorizer": "cognito",
                      "cors": {"allowed_origins": ["https://example.com"], "allowed_headers": ["Content-Type"],
                               "allowed_methods": ["GET", "POST", "OPTIONS"]}}
    if i % 10 == 0:
        doc["tracing_config"] = {"mode": "Active"}
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"

def path_of(i):
    return f"lambda_functions/group_{i % 50:02d}/fn_{i:05d}"

out = os.path.abspath(a.out)
os.makedirs(out, exist_ok=True)
subprocess.run(["git", "init", "-q", "-b", "main", out], check=True)
proc = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=out, stdin=subprocess.PIPE)
w = proc.stdin

def blob(text):
    data = text.encode()
    w.write(b"M 100644 inline ")
    return data

def commit(n, message, files, deletes=()):
    when = 1_750_000_000 + n * 3600
    msg = message.encode()
    w.write(f"commit refs/heads/main\nmark :{n}\nauthor Bench <bench@example.com> {when} +0000\ncommitter Bench <bench@example.com> {when} +0000\ndata {len(msg)}\n".encode() + msg + b"\n")
    if n > 1:
        w.write(f"from :{n - 1}\n".encode())
    for path in deletes:
        w.write(f"D {path}\n".encode())
    for path, text in files.items():
        data = text.encode()
        w.write(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")

versions = {}
overrides = {e: {} for e in ENVS}
files = {}
for i in range(a.functions):
    versions[i] = 0
    files[path_of(i) + "/function.json"] = function(i)
    files[path_of(i) + "/index.py"] = f"def handler(event, context):\n    return {{'function': {i}}}\n"
    files[path_of(i) + "/requirements.txt"] = "boto3\n"
for e in ENVS:
    files[f"terraform/environments/{e}/environment.json"] = json.dumps({"environment_variables": {"ENVIRONMENT": e}, "tags": {"Environment": e}}, indent=2) + "\n"
    for i in rng.sample(range(a.functions), a.functions // 10):
        overrides[e][i] = {"memory_size": 256 * (1 + i % 4), "environment_variables": {"LOG_LEVEL": "DEBUG" if e == "dev" else "WARN"}}
        files[f"terraform/environments/{e}/overrides/fn_{i:05d}.json"] = json.dumps(overrides[e][i], indent=2) + "\n"
commit(1, "initial import", files)
for n in range(2, a.revisions + 1):
    files, deletes = {}, []
    for _ in range(rng.randint(1, 20)):
        kind = rng.random()
        i = rng.randrange(a.functions)
        if kind < 0.55:
            versions[i] += 1
            files[path_of(i) + "/function.json"] = function(i, versions[i])
        elif kind < 0.75:
            files[path_of(i) + "/index.py"] = f"def handler(event, context):\n    return {{'function': {i}, 'rev': {n}}}\n"
        elif kind < 0.98:
            e = rng.choice(ENVS)
            path = f"terraform/environments/{e}/overrides/fn_{i:05d}.json"
            if i in overrides[e] and rng.random() < 0.2:
                del overrides[e][i]
                deletes.append(path)
                files.pop(path, None)
            else:
                overrides[e][i] = {"timeout": 1 + (n % 900), "environment_variables": {"FEATURE": f"f{n}"}}
                files[path] = json.dumps(overrides[e][i], indent=2) + "\n"
        else:
            e = rng.choice(ENVS)
            files[f"terraform/environments/{e}/environment.json"] = json.dumps(
                {"environment_variables": {"ENVIRONMENT": e, "RELEASE": str(n)}, "tags": {"Environment": e}}, indent=2) + "\n"
    commit(n, f"change {n}", files, [d for d in deletes if d not in files])
w.close()
if proc.wait() != 0:
    raise SystemExit("git fast-import failed")
subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=out, check=True)
print(out)
