#!/usr/bin/env python3
"""Regenerates schemas/function.schema.json and schemas/override.schema.json (JSON Schema draft 2020-12)
from the same AWS sources as the Swift validator's table (botocore's Lambda model, cfn-lint's data).

Rules a schema cannot express are listed in schemas/README.md (cross-file rules, secrets, runtime
lifecycle dates, the 4 KB environment size, CORS methods covering api.methods)."""
import gzip, json, os
import botocore, cfnlint

here = os.path.dirname(os.path.abspath(__file__))
model = json.load(gzip.open(os.path.join(os.path.dirname(botocore.__file__), "data/lambda/2015-03-31/service-2.json.gz")))["shapes"]
cfn = os.path.dirname(cfnlint.__file__)
reserved = json.load(open(os.path.join(cfn, "data/schemas/extensions/aws_lambda_function/environment_variable_keys.json")))["propertyNames"]["not"]["enum"]

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"]
# An IAM policy's Resource ARN: any partition or *, account 12 digits, empty, aws or a wildcard,
# a short form ending in a wildcard (arn:aws:logs:*); IAM's own ARNs have no region.
PARTITION = "(aws(-[a-z]+)*|\\*)"
ARN = ("^(?!arn:[^:]*:iam:[^:]*[^:*][^:]*:)(arn:" + PARTITION + ":[a-zA-Z0-9*?-]+:[a-z0-9*?-]*:(|\\d{12}|aws|cloudfront|[0-9*?]*[*?][0-9*?]*):.+"
       + "|(?=.*\\*$)arn:" + PARTITION + ":[a-zA-Z0-9*?-]+(:[^:]*){0,2})$")
strings = {"type": "array", "items": {"type": "string"}}
def nullable(s): return {"anyOf": [s, {"type": "null"}]}
def string_or_list(pattern):
    item = {"type": "string", "pattern": pattern}
    return {"anyOf": [item, {"type": "array", "minItems": 1, "items": item}]}

properties = {
    "$schema": {"type": "string", "description": "Ignored by fnreg; lets editors find this schema."},
    "name": {"type": "string", "pattern": "^[a-zA-Z0-9_-]{1,64}$", "description": "Function name, unique in the repository."},
    "description": {"type": "string", "maxLength": model["Description"]["max"]},
    "runtime": {"enum": model["Runtime"]["enum"]},
    "handler": {"type": "string", "minLength": 1, "maxLength": model["Handler"]["max"], "pattern": "^\\S+$"},
    "timeout": nullable({"type": "integer", "minimum": 1, "maximum": 900}),
    "memory_size": nullable({"type": "integer", "minimum": 128, "maximum": 10240}),
    "layers": nullable({"type": "array", "maxItems": 5, "items": {"type": "string", "maxLength": model["LayerVersionArn"]["max"],
        "pattern": "^arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9_-]+:[0-9]+$"}}),
    "api": nullable({"type": "object", "additionalProperties": False, "required": ["path", "methods"], "properties": {
        "path": {"type": "string", "pattern": "^/$|^(/([A-Za-z0-9._-]+|\\{[A-Za-z0-9._-]+\\}))*(/\\{[A-Za-z0-9._-]+\\+\\})?$"},
        "methods": {"type": "array", "minItems": 1, "items": {"enum": METHODS}},
        "authorizer": nullable({"type": "string", "minLength": 1}),
        "cors": nullable({"type": "object", "additionalProperties": False, "properties": {
            "allowed_origins": strings, "allowed_headers": strings, "expose_headers": strings,
            "allowed_methods": {"type": "array", "items": {"enum": METHODS + ["*"]}},
            "max_age": {"type": "integer"}, "allow_credentials": {"type": "boolean"}}}),
        "request_parameters": nullable({"type": "object", "additionalProperties": {"type": "boolean"},
            "propertyNames": {"pattern": "^method\\.request\\.(path|querystring|header|multivalueheader|multivaluequerystring)\\..+$"}}),
        "request_validator": nullable({"type": "object", "additionalProperties": False, "properties": {
            "validate_body": {"type": "boolean"}, "validate_parameters": {"type": "boolean"}}}),
    }}),
    "environment_variables": nullable({"type": "object", "additionalProperties": {"type": "string"},
        "propertyNames": {"pattern": "^[a-zA-Z][a-zA-Z0-9_]+$", "not": {"enum": reserved}}}),
    "additional_policies": nullable({"type": "array", "items": {"type": "object", "additionalProperties": False,
        "required": ["Effect"], "properties": {
            "Sid": {"type": "string", "pattern": "^[A-Za-z0-9]*$"}, "Effect": {"enum": ["Allow", "Deny"]},
            "Action": string_or_list("^(\\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+)$"), "NotAction": string_or_list("^(\\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+)$"),
            "Resource": string_or_list("^\\*$|" + ARN), "NotResource": string_or_list("^\\*$|" + ARN), "Condition": {"type": "object"}},
        "allOf": [{"anyOf": [{"required": ["Action"]}, {"required": ["NotAction"]}]},
                  {"anyOf": [{"required": ["Resource"]}, {"required": ["NotResource"]}]}]}}),
    "vpc_config": nullable({"type": "object", "additionalProperties": False, "required": ["subnet_ids", "security_group_ids"], "properties": {
        "subnet_ids": {"type": "array", "minItems": 1, "maxItems": model["SubnetIds"]["max"], "items": {"type": "string", "pattern": "^subnet-[0-9a-zA-Z]+$"}},
        "security_group_ids": {"type": "array", "minItems": 1, "maxItems": model["SecurityGroupIds"]["max"], "items": {"type": "string", "pattern": "^sg-[0-9a-zA-Z]+$"}},
        "assign_public_ip": nullable({"type": "boolean"})}}),
    "dead_letter_config": nullable({"type": "object", "additionalProperties": False, "required": ["target_arn"], "properties": {
        "target_arn": {"type": "string", "pattern": "^arn:aws[a-zA-Z-]*:(sqs|sns):[a-z0-9-]*:(\\d{12})?:.+$"},
        "max_receive_count": nullable({"type": "integer", "minimum": 1, "maximum": 1000})}}),
    "tracing_config": nullable({"type": "object", "additionalProperties": False, "required": ["mode"], "properties": {
        "mode": {"enum": model["TracingMode"]["enum"]}}}),
    "tags": nullable({"type": "object", "maxProperties": 50, "additionalProperties": {"type": "string", "maxLength": 256},
        "propertyNames": {"minLength": 1, "maxLength": 128, "not": {"pattern": "^[aA][wW][sS]:"}}}),
}
function_schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://fnreg.invalid/schemas/function.schema.json",
    "title": "fnreg function.json",
    "description": "One Lambda function's base configuration (the function-driven deployment pattern).",
    "type": "object", "additionalProperties": False,
    "required": ["name", "description", "runtime", "handler"],
    "properties": properties,
}
def patchify(schema):
    """RFC 7396: in a patch every object member may be null (delete) and nothing is required; arrays
    replace wholesale, so their items keep the base rules."""
    if not isinstance(schema, dict):
        return schema
    out = {}
    for k, v in schema.items():
        if k == "required":
            continue
        if k == "properties":
            out[k] = {name: nullable(patchify(sub)) for name, sub in v.items()}
        elif k == "additionalProperties" and isinstance(v, dict):
            out[k] = nullable(patchify(v))
        elif k in ("anyOf", "allOf", "oneOf"):
            out[k] = [patchify(x) for x in v] if k != "allOf" else []
        else:
            out[k] = v
    if out.get("allOf") == []:
        del out["allOf"]
    return out

override_properties = {k: (v if k == "$schema" else nullable(patchify(v))) for k, v in properties.items()}
override_schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://fnreg.invalid/schemas/override.schema.json",
    "title": "fnreg environment.json / overrides/<function>.json",
    "description": "A JSON Merge Patch (RFC 7396) over function.json: any field, null deletes it. environment.json may not set name; an override may only restate its function's name.",
    "type": "object", "additionalProperties": False,
    "properties": override_properties,
}
for name, schema in [("function.schema.json", function_schema), ("override.schema.json", override_schema)]:
    with open(os.path.join(here, "..", "schemas", name), "w") as f:
        json.dump(schema, f, indent=2, sort_keys=True)
        f.write("\n")
print("wrote schemas/function.schema.json and schemas/override.schema.json")
