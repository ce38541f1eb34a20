#!/usr/bin/env python3
"""The way a user reconstructs an environment at a past commit without fnreg: read the files at that
commit from git and merge them (RFC 7396), printing the functions as JSON. The baseline for
`fnreg export json` in BENCHMARKS.md.   baseline_export.py REPO COMMIT ENV"""
import json, subprocess, sys

repo, commit, env = sys.argv[1:4]
listing = subprocess.run(["git", "-C", repo, "ls-tree", "-r", "-z", commit, "--", "lambda_functions", f"terraform/environments/{env}"],
                         check=True, capture_output=True).stdout.split(b"\0")
paths = {}
for entry in listing:
    if entry:
        meta, path = entry.split(b"\t", 1)
        paths[path.decode()] = meta.split()[2].decode()
wanted = [p for p in paths if p.endswith("function.json") or p.endswith(".json") and "/overrides/" in p or p.endswith("/environment.json")]
cat = subprocess.Popen(["git", "-C", repo, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
out, _ = cat.communicate("".join(paths[p] + "\n" for p in wanted).encode())
docs, i = {}, 0
for p in wanted:
    header_end = out.index(b"\n", i)
    size = int(out[i:header_end].split()[2])
    docs[p] = json.loads(out[header_end + 1:header_end + 1 + size])
    i = header_end + 1 + size + 1

def merge(target, patch):
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            result.pop(k, None)
        else:
            result[k] = merge(result.get(k), v)
    return result

DEFAULTS = {"timeout": 3, "memory_size": 128, "layers": [], "api": None, "environment_variables": {}, "additional_policies": [],
            "vpc_config": None, "dead_letter_config": None, "tracing_config": {"mode": "PassThrough"}, "tags": {}}
env_patch = docs.get(f"terraform/environments/{env}/environment.json")
functions = {}
for p, base in docs.items():
    if not p.endswith("function.json") or not p.startswith("lambda_functions/"):
        continue
    effective = {k: v for k, v in base.items() if v is not None and k != "$schema"}
    if env_patch is not None:
        effective = merge(effective, env_patch)
    override = docs.get(f"terraform/environments/{env}/overrides/{base['name']}.json")
    if override is not None:
        effective = merge(effective, override)
    for k, v in DEFAULTS.items():
        effective.setdefault(k, v)
    functions[base["name"]] = effective
json.dump({"environment": env, "commit": commit, "functions": functions}, sys.stdout, sort_keys=True, indent=2)
print()
