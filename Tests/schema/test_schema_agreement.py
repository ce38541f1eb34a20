"""The JSON Schema (schemas/function.schema.json) and fnreg's validator agree on the corpus
(Tests/Corpus/function-cases.json), except cases marked "schema": false, which a schema cannot express."""
import json
import pathlib

import jsonschema
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "function.schema.json").read_text())
OVERRIDE = json.loads((ROOT / "schemas" / "override.schema.json").read_text())
CASES = json.loads((ROOT / "Tests" / "Corpus" / "function-cases.json").read_text())["cases"]


def test_schemas_are_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator.check_schema(OVERRIDE)


@pytest.mark.parametrize("case", [c for c in CASES if c["schema"]], ids=lambda c: c["id"])
def test_schema_agrees(case):
    errors = list(jsonschema.Draft202012Validator(SCHEMA, format_checker=None).iter_errors(case["document"]))
    assert (not errors) == case["valid"], [e.message for e in errors]


def test_examples_pass_the_schemas():
    for path in (ROOT / "lambda_functions").rglob("function.json"):
        assert not list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(json.loads(path.read_text()))), path
    for path in (ROOT / "terraform" / "environments").rglob("*.json"):
        if path.name in ("environment.json",) or path.parent.name == "overrides":
            assert not list(jsonschema.Draft202012Validator(OVERRIDE).iter_errors(json.loads(path.read_text()))), path
