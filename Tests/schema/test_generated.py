"""Every check of Lambda's limits comes from one table (schemas/lambda-limits.json): fnreg's Swift
limits, the JSON Schemas and the Terraform modules' `functions` declarations are generated from it and
must be up to date."""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_generated_files_are_up_to_date():
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "generate-from-limits.py"), "--check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_every_module_declares_the_same_functions_type():
    texts = [(ROOT / "terraform" / "modules" / m / "functions.tf").read_text() for m in ("environment", "lambda", "iam", "api_gateway")]
    types = [t[t.index("type = map(object({"):t.index("}))") + 3] for t in texts]
    assert len(set(types)) == 1
    for m in ("environment", "lambda", "iam", "api_gateway"):
        variables = (ROOT / "terraform" / "modules" / m / "variables.tf").read_text()
        assert 'variable "functions"' not in variables, f"{m} declares functions by hand"


def _properties(schema):
    """The object schema inside a nullable wrapper, or inside an array of objects."""
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            return _properties(option)
    if schema.get("type") == "array" and "items" in schema:
        return _properties(schema["items"])
    return schema


def test_the_json_schema_has_every_field_of_the_table():
    import json
    table = json.loads((ROOT / "schemas" / "lambda-limits.json").read_text())
    schema = json.loads((ROOT / "schemas" / "function.schema.json").read_text())

    def check(fields, object_schema, where):
        names = [f["name"] for f in fields]
        properties = object_schema["properties"]
        assert sorted(n for n in properties if n != "$schema") == sorted(names), where
        assert sorted(object_schema.get("required", [])) == sorted(f["name"] for f in fields if f["required"]), where
        for f in fields:
            if "members" in f:
                check(f["members"], _properties(properties[f["name"]]), where + "/" + f["name"])

    check(table["fields"], schema, "function.json")
