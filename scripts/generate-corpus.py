#!/usr/bin/env python3
"""Writes Tests/Corpus/function-cases.json: function.json documents that must fail (with the rule id
they must trigger) or pass, judged at 2026-11-26. Each case says whether the JSON Schema can express
it ("schema": true) — both the Swift validator and schemas/function.schema.json are checked against it."""
import copy, json, os

BASE = {"name": "corpus_fn", "description": "Corpus function", "runtime": "python3.13", "handler": "index.handler"}
FULL = dict(BASE, timeout=900, memory_size=10240, layers=[f"arn:aws:lambda:us-east-1:123456789012:layer:l{i}:{i}" for i in range(1, 6)],
            api={"path": "/devices/{deviceId}/status", "methods": ["GET", "POST"], "authorizer": "cognito",
                 "cors": {"allowed_origins": ["https://example.com"], "allowed_headers": ["Content-Type"], "allowed_methods": ["GET", "POST", "OPTIONS"]},
                 "request_parameters": {"method.request.path.deviceId": True, "method.request.querystring.q": False},
                 "request_validator": {"validate_body": True, "validate_parameters": True}},
            environment_variables={"LOG_LEVEL": "INFO", "TABLE_NAME": "Devices", "DB_PASSWORD_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"},
            additional_policies=[{"Sid": "Read", "Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Devices"},
                                 {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": ["arn:aws:s3:::bucket/*"]}],
            vpc_config={"subnet_ids": ["subnet-0a1b2c3d"], "security_group_ids": ["sg-0a1b2c3d"], "assign_public_ip": False},
            dead_letter_config={"target_arn": "arn:aws:sqs:us-east-1:123456789012:dlq", "max_receive_count": 3},
            tracing_config={"mode": "Active"}, tags={"Service": "corpus"})

def with_(doc, **changes):
    d = copy.deepcopy(doc)
    for k, v in changes.items():
        if v is DELETE: d.pop(k, None)
        else: d[k] = v
    return d

DELETE = object()
invalid = []
def bad(case_id, rule, doc, schema=True):
    invalid.append({"id": case_id, "valid": False, "rule": rule, "schema": schema, "document": doc})

# Required fields and types.
for field in ["name", "description", "runtime", "handler"]:
    bad(f"missing-{field}", "FN-REQUIRED", with_(BASE, **{field: DELETE}))
    bad(f"null-{field}", "FN-REQUIRED", with_(BASE, **{field: None}))
bad("name-number", "FN-TYPE", with_(BASE, name=42))
bad("description-array", "FN-TYPE", with_(BASE, description=["x"]))
bad("timeout-string", "FN-TYPE", with_(BASE, timeout="30"))
bad("timeout-float", "FN-TYPE", with_(BASE, timeout=1.5))
bad("memory-string", "FN-TYPE", with_(BASE, memory_size="256"))
bad("layers-string", "FN-TYPE", with_(BASE, layers="arn:aws:lambda:us-east-1:123456789012:layer:x:1"))
bad("env-array", "FN-TYPE", with_(BASE, environment_variables=["A=1"]))
bad("env-value-number", "FN-TYPE", with_(BASE, environment_variables={"RETRIES": 3}))
bad("tags-value-bool", "FN-TYPE", with_(BASE, tags={"Public": True}))
bad("api-string", "FN-TYPE", with_(BASE, api="/path"))
bad("vpc-string", "FN-TYPE", with_(BASE, vpc_config="vpc-1"))
bad("policies-object", "FN-TYPE", with_(BASE, additional_policies={"Effect": "Allow"}))
bad("tracing-string", "FN-TYPE", with_(BASE, tracing_config="Active"))
bad("document-array", "FN-TYPE", [BASE])
# Unknown fields, with a did-you-mean.
for field in ["memory", "timout", "env", "layer", "Tags", "vpc", "handlers"]:
    bad(f"unknown-{field}", "FN-UNKNOWN-FIELD", with_(BASE, **{field: 1}))
bad("unknown-api-field", "FN-UNKNOWN-FIELD", with_(BASE, api={"path": "/a", "methods": ["GET"], "method": "GET"}))
bad("unknown-vpc-field", "FN-UNKNOWN-FIELD", with_(BASE, vpc_config={"subnet_ids": ["subnet-1"], "security_group_ids": ["sg-1"], "vpc_id": "vpc-1"}))
bad("unknown-statement-field", "FN-UNKNOWN-FIELD", with_(BASE, additional_policies=[{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Principal": "*"}]))
# Lambda's limits.
for name in ["has space", "x" * 65, "dots.not.allowed", "", "ünïcode"]:
    bad(f"name-{len(name)}-{name[:4]}", "FN-NAME", with_(BASE, name=name))
for runtime in ["python3.99", "cobol1", "Python3.13", "nodejs", "python3"]:
    bad(f"runtime-{runtime}", "FN-RUNTIME-UNKNOWN" if runtime != "nodejs" else "FN-RUNTIME-UPDATE-BLOCKED", with_(BASE, runtime=runtime), schema=runtime != "nodejs")
bad("runtime-update-blocked", "FN-RUNTIME-UPDATE-BLOCKED", with_(BASE, runtime="python3.9"), schema=False)
bad("runtime-python311-blocked", "FN-RUNTIME-UPDATE-BLOCKED", with_(BASE, runtime="python3.11"), schema=False)
bad("handler-space", "FN-HANDLER", with_(BASE, handler="index handler"))
bad("handler-empty", "FN-HANDLER", with_(BASE, handler=""))
bad("handler-no-function", "FN-HANDLER", with_(BASE, handler="index"), schema=False)
bad("handler-too-long", "FN-HANDLER", with_(BASE, handler="a." + "b" * 130))
for t in [0, 901, -1, 100000]:
    bad(f"timeout-{t}", "FN-TIMEOUT-RANGE", with_(BASE, timeout=t))
for m in [127, 10241, 0, 64]:
    bad(f"memory-{m}", "FN-MEMORY-RANGE", with_(BASE, memory_size=m))
bad("six-layers", "FN-LAYERS-COUNT", with_(BASE, layers=[f"arn:aws:lambda:us-east-1:123456789012:layer:l{i}:1" for i in range(6)]))
for arn in ["not-an-arn", "arn:aws:lambda:us-east-1:123456789012:layer:x", "arn:aws:lambda:us-east-1:12345:layer:x:1", "arn:aws:s3:::bucket"]:
    bad(f"layer-arn-{arn[-6:]}", "FN-LAYER-ARN", with_(BASE, layers=[arn]))
# API settings.
for path in ["devices", "/devices//status", "/devices/{id", "/devices/{}", "/{proxy+}/x", "/a b"]:
    bad(f"api-path-{path}", "FN-API-PATH", with_(BASE, api={"path": path, "methods": ["GET"]}))
for method in ["get", "FETCH", "CONNECT"]:
    bad(f"api-method-{method}", "FN-API-METHOD", with_(BASE, api={"path": "/a", "methods": [method]}))
bad("api-methods-empty", "FN-API-METHOD", with_(BASE, api={"path": "/a", "methods": []}))
bad("api-missing-path", "FN-REQUIRED", with_(BASE, api={"methods": ["GET"]}))
bad("api-missing-methods", "FN-REQUIRED", with_(BASE, api={"path": "/a"}))
bad("cors-not-covering", "FN-API-CORS-METHODS", with_(BASE, api={"path": "/a", "methods": ["GET", "DELETE"], "cors": {"allowed_methods": ["GET", "OPTIONS"]}}), schema=False)
bad("request-parameter-name", "FN-API-PARAMETER", with_(BASE, api={"path": "/a", "methods": ["GET"], "request_parameters": {"deviceId": True}}))
bad("request-validator-type", "FN-TYPE", with_(BASE, api={"path": "/a", "methods": ["GET"], "request_validator": {"validate_body": "yes"}}))
# Environment variables.
for key in ["1ABC", "A", "HAS-DASH", "with space"]:
    bad(f"env-key-{key}", "FN-ENV-KEY", with_(BASE, environment_variables={key: "x"}))
for key in ["AWS_REGION", "AWS_ACCESS_KEY_ID", "_HANDLER", "LAMBDA_TASK_ROOT"]:
    bad(f"env-reserved-{key}", "FN-ENV-RESERVED" if key[0] != "_" else "FN-ENV-KEY", with_(BASE, environment_variables={key: "x"}))
bad("env-too-large", "FN-ENV-SIZE", with_(BASE, environment_variables={f"KEY_{i}": "v" * 100 for i in range(45)}), schema=False)
# IAM statements.
bad("iam-effect", "FN-IAM-EFFECT", with_(BASE, additional_policies=[{"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}]))
bad("iam-missing-effect", "FN-IAM-REQUIRED", with_(BASE, additional_policies=[{"Action": "s3:GetObject", "Resource": "*"}]))
bad("iam-missing-action", "FN-IAM-REQUIRED", with_(BASE, additional_policies=[{"Effect": "Allow", "Resource": "*"}]))
bad("iam-missing-resource", "FN-IAM-REQUIRED", with_(BASE, additional_policies=[{"Effect": "Allow", "Action": "s3:GetObject"}]))
bad("iam-action-format", "FN-IAM-ACTION", with_(BASE, additional_policies=[{"Effect": "Allow", "Action": "GetObject", "Resource": "*"}]))
bad("iam-resource-format", "FN-IAM-RESOURCE", with_(BASE, additional_policies=[{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "bucket"}]))
bad("iam-action-empty-list", "FN-TYPE", with_(BASE, additional_policies=[{"Effect": "Allow", "Action": [], "Resource": "*"}]))
# VPC, DLQ, tracing, tags.
bad("vpc-no-sg", "FN-VPC-INCOMPLETE", with_(BASE, vpc_config={"subnet_ids": ["subnet-1"]}))
bad("vpc-no-subnets", "FN-VPC-INCOMPLETE", with_(BASE, vpc_config={"security_group_ids": ["sg-1"]}))
bad("vpc-empty-subnets", "FN-VPC-INCOMPLETE", with_(BASE, vpc_config={"subnet_ids": [], "security_group_ids": ["sg-1"]}))
bad("vpc-17-subnets", "FN-VPC-LIMIT", with_(BASE, vpc_config={"subnet_ids": [f"subnet-{i}" for i in range(17)], "security_group_ids": ["sg-1"]}))
bad("vpc-6-sgs", "FN-VPC-LIMIT", with_(BASE, vpc_config={"subnet_ids": ["subnet-1"], "security_group_ids": [f"sg-{i}" for i in range(6)]}))
bad("vpc-bad-id", "FN-VPC-ID", with_(BASE, vpc_config={"subnet_ids": ["vpc-1"], "security_group_ids": ["sg-1"]}))
bad("dlq-not-sqs", "FN-DLQ-ARN", with_(BASE, dead_letter_config={"target_arn": "arn:aws:s3:::bucket"}))
bad("dlq-no-account", "FN-DLQ-ARN", with_(BASE, dead_letter_config={"target_arn": "arn:aws:sqs:us-east-1::dlq"}))
bad("dlq-wildcard-account", "FN-DLQ-ARN", with_(BASE, dead_letter_config={"target_arn": "arn:aws:sqs:us-east-1:*:dlq"}))
bad("dlq-missing-arn", "FN-REQUIRED", with_(BASE, dead_letter_config={"max_receive_count": 3}))
bad("dlq-receive-count", "FN-DLQ-RECEIVE-COUNT", with_(BASE, dead_letter_config={"target_arn": "arn:aws:sqs:us-east-1:123456789012:q", "max_receive_count": 0}))
bad("tracing-mode", "FN-TRACING-MODE", with_(BASE, tracing_config={"mode": "active"}))
bad("tracing-missing-mode", "FN-REQUIRED", with_(BASE, tracing_config={}))
bad("tags-aws-prefix", "FN-TAG-KEY", with_(BASE, tags={"aws:createdBy": "me"}))
bad("tags-AWS-prefix", "FN-TAG-KEY", with_(BASE, tags={"AWS:x": "me"}))
bad("tags-long-key", "FN-TAG-KEY", with_(BASE, tags={"k" * 129: "v"}))
bad("tags-long-value", "FN-TAG-VALUE", with_(BASE, tags={"k": "v" * 257}))
bad("tags-51", "FN-TAGS-COUNT", with_(BASE, tags={f"k{i}": "v" for i in range(51)}))
bad("tags-48-with-the-modules-own", "FN-TAGS-COUNT", with_(BASE, tags={f"k{i}": "v" for i in range(48)}), schema=False)
bad("description-too-long", "FN-DESCRIPTION-LENGTH", with_(BASE, description="d" * 257))
# Secrets (the schema cannot see them).
for case_id, env in [("aws-access-key", {"KEY": "AKIAIOSFODNN7EXAMPLE"}), ("aws-secret-key", {"AWS_SECRET": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}),
                     ("pem", {"CERT": "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"}),
                     ("jwt", {"AUTH": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"}),
                     ("connection-string", {"DATABASE_URL": "postgres://admin:hunter2@db.example.com:5432/app"}),
                     ("password-literal", {"DB_PASSWORD": "hunter2hunter2"}), ("token-literal", {"GITHUB_TOKEN": "ghp_abcdefghijklmnop"}),
                     ("api-key-literal", {"STRIPE_API_KEY": "sk_live_abcdef"})]:
    bad(f"secret-{case_id}", "FN-SECRET", with_(BASE, environment_variables=env), schema=False)
bad("secret-in-tag", "FN-SECRET", with_(BASE, tags={"Key": "AKIAIOSFODNN7EXAMPLE"}), schema=False)
# Name parts split at case changes, digits and separators, and joined words.
for case_id, env in [("mongo-db-pass", {"MONGO_DB_PASS": "s3cr3t-Pa55w0rd!"}), ("camel-db-password", {"dbPassword": "Tr0ub4dor&3x"}),
                     ("joined-clientsecret", {"CLIENTSECRET": "9f8e7d6c5b4a39281706"})]:
    bad(f"secret-name-{case_id}", "FN-SECRET", with_(BASE, environment_variables=env), schema=False)
# A credential as a member name, and one cut into two values.
bad("secret-member-name", "FN-SECRET", with_(BASE, tags={"AKIAIOSFODNN7EXAMPLE": "owner"}), schema=False)
bad("secret-split-across-keys", "FN-SECRET", with_(BASE, environment_variables={"GH_TOKEN_PART_1": "ghp_Zx81kQw", "GH_TOKEN_PART_2": "Lm20Rt7VbNc4Yp9Hs6Dq3Fg5Jk1"}), schema=False)
# Authorizers the modules can deploy: cognito (an optional user pool), iam, lambda (a function or an ARN).
POOL = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC123xyz"
AUTH_FN = "arn:aws:lambda:us-east-1:123456789012:function:authorizer"
for case_id, api in [("unknown-kind", {"authorizer": "oauth"}), ("empty", {"authorizer": ""}),
                     ("lambda-without-target", {"authorizer": "lambda"}),
                     ("lambda-both-targets", {"authorizer": "lambda", "authorizer_function": "auth", "authorizer_arn": AUTH_FN}),
                     ("lambda-bad-arn", {"authorizer": "lambda", "authorizer_arn": "arn:aws:lambda:us-east-1:123456789012:layer:x:1"}),
                     ("cognito-bad-pool", {"authorizer": "cognito", "authorizer_arn": AUTH_FN}),
                     ("iam-with-arn", {"authorizer": "iam", "authorizer_arn": POOL}),
                     ("arn-without-authorizer", {"authorizer_arn": POOL})]:
    bad(f"authorizer-{case_id}", "FN-API-AUTHORIZER", with_(BASE, api=dict({"path": "/a", "methods": ["GET"]}, **api)))
# Runtimes the hashicorp/aws provider the modules are planned with does not know yet.
for runtime in ["python3.14", "nodejs24.x", "java25"]:
    bad(f"runtime-provider-{runtime}", "FN-RUNTIME-PROVIDER", with_(BASE, runtime=runtime, handler="index.handler" if runtime != "java25" else "a.B::h"))
# Fields beyond the seed's.
Q = "arn:aws:sqs:us-east-1:123456789012:jobs"
for case_id, changes, rule, schema in [
    ("architectures-two", {"architectures": ["x86_64", "arm64"]}, "FN-ARCHITECTURES", True),
    ("architectures-unknown", {"architectures": ["arm"]}, "FN-ARCHITECTURES", True),
    ("ephemeral-storage-small", {"ephemeral_storage": 256}, "FN-EPHEMERAL-STORAGE-RANGE", True),
    ("ephemeral-storage-large", {"ephemeral_storage": 20480}, "FN-EPHEMERAL-STORAGE-RANGE", True),
    ("concurrency-negative", {"reserved_concurrent_executions": -1}, "FN-CONCURRENCY", True),
    ("snapstart-apply-on", {"snap_start": {"apply_on": "Always"}}, "FN-SNAPSTART", True),
    ("snapstart-runtime", {"runtime": "nodejs22.x", "snap_start": {"apply_on": "PublishedVersions"}}, "FN-SNAPSTART", False),
    ("logging-format", {"logging_config": {"log_format": "XML"}}, "FN-LOGGING", True),
    ("logging-levels-need-json", {"logging_config": {"log_format": "Text", "application_log_level": "INFO"}}, "FN-LOGGING", False),
    ("logging-level-unknown", {"logging_config": {"log_format": "JSON", "application_log_level": "VERBOSE"}}, "FN-LOGGING", True),
    ("role-arn-format", {"role_arn": "arn:aws:iam::123456789012:user/bob"}, "FN-ROLE-ARN", True),
    ("role-arn-with-policies", {"role_arn": "arn:aws:iam::123456789012:role/existing", "additional_policies": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}, "FN-ROLE-POLICIES", False),
    ("role-arn-with-managed", {"role_arn": "arn:aws:iam::123456789012:role/existing", "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}, "FN-ROLE-POLICIES", False),
    ("managed-policy-format", {"managed_policies": ["ReadOnlyAccess"]}, "FN-MANAGED-POLICY", True),
    ("managed-policies-too-many", {"managed_policies": [f"arn:aws:iam::123456789012:policy/p{i}" for i in range(20)]}, "FN-MANAGED-POLICY", False),
    ("function-url-auth", {"function_url": {"auth_type": "OPEN"}}, "FN-FUNCTION-URL", True),
    ("function-url-missing-auth", {"function_url": {"invoke_mode": "BUFFERED"}}, "FN-REQUIRED", True),
    ("event-unknown-type", {"events": [{"type": "kafka", "topic": "t"}]}, "FN-EVENT", True),
    ("event-sqs-arn", {"events": [{"type": "sqs", "queue_arn": "arn:aws:sns:us-east-1:123456789012:t"}]}, "FN-EVENT", True),
    ("event-sqs-fifo-batch", {"events": [{"type": "sqs", "queue_arn": Q + ".fifo", "batch_size": 100}]}, "FN-EVENT", False),
    ("event-sqs-batch-without-window", {"events": [{"type": "sqs", "queue_arn": Q, "batch_size": 100}]}, "FN-EVENT", False),
    ("event-stream-position", {"events": [{"type": "kinesis", "stream_arn": "arn:aws:kinesis:us-east-1:123456789012:stream/s", "starting_position": "NOW"}]}, "FN-EVENT", True),
    ("event-stream-missing-position", {"events": [{"type": "dynamodb", "stream_arn": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026"}]}, "FN-REQUIRED", True),
    ("event-schedule-rate-unit", {"events": [{"type": "schedule", "expression": "rate(5 minute)"}]}, "FN-EVENT", False),
    ("event-schedule-cron-fields", {"events": [{"type": "schedule", "expression": "cron(0 12 * * *)"}]}, "FN-EVENT", False),
    ("event-s3-bucket", {"events": [{"type": "s3", "bucket": "My_Bucket", "events": ["s3:ObjectCreated:*"]}]}, "FN-EVENT", True),
    ("event-duplicate", {"events": [{"type": "sqs", "queue_arn": Q}, {"type": "sqs", "queue_arn": Q, "batch_size": 5}]}, "FN-EVENT", False),
    ("event-unknown-field", {"events": [{"type": "sns", "topic_arn": "arn:aws:sns:us-east-1:123456789012:t", "queue_arn": Q}]}, "FN-UNKNOWN-FIELD", True),
    ("api-type-unknown", {"api": {"path": "/a", "methods": ["GET"], "type": "websocket"}}, "FN-API-TYPE", True),
    ("api-http-request-validator", {"api": {"path": "/a", "methods": ["GET"], "type": "http", "request_validator": {"validate_body": True}}}, "FN-API-TYPE", False),
    ("api-http-cognito", {"api": {"path": "/a", "methods": ["GET"], "type": "http", "authorizer": "cognito"}}, "FN-API-AUTHORIZER", False),
]:
    bad(f"beyond-{case_id}", rule, with_(BASE, **changes), schema=schema)
# IAM is global: its ARNs have no region. API Gateway path parts hold only [a-zA-Z0-9._-].
bad("iam-arn-with-region", "FN-IAM-RESOURCE", with_(BASE, additional_policies=[{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam:us-east-1:123456789012:role/app"}]))
for path in ["/users/me:profile", "/mail/user@example"]:
    bad(f"api-path-part-{path[-7:]}", "FN-API-PATH", with_(BASE, api={"path": path, "methods": ["GET"]}))
bad("secret-in-description", "FN-SECRET", with_(BASE, description="uses postgres://admin:hunter2@db/app"), schema=False)

valid = []
def good(case_id, doc):
    valid.append({"id": case_id, "valid": True, "schema": True, "document": doc})
good("minimal", BASE)
good("every-field-at-maximum", FULL)
good("schema-key", with_(BASE, **{"$schema": "../../schemas/function.schema.json"}))
good("timeout-1", with_(BASE, timeout=1))
good("memory-128", with_(BASE, memory_size=128))
good("nulls-for-optional", with_(BASE, timeout=None, memory_size=None, layers=None, api=None, vpc_config=None, tags=None))
good("empty-collections", with_(BASE, layers=[], environment_variables={}, additional_policies=[], tags={}))
good("api-root-path", with_(BASE, api={"path": "/", "methods": ["ANY"]}))
good("api-greedy-last", with_(BASE, api={"path": "/files/{proxy+}", "methods": ["GET"]}))
good("api-any-cors", with_(BASE, api={"path": "/a", "methods": ["ANY"], "cors": {"allowed_methods": ["ANY"]}}))
good("iam-string-action-s3-arn", with_(BASE, additional_policies=[{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/*"}]))
good("iam-not-action", with_(BASE, additional_policies=[{"Effect": "Deny", "NotAction": ["iam:*"], "NotResource": "*"}]))
good("secret-references", with_(BASE, environment_variables={"DB_PASSWORD": "{{resolve:secretsmanager:db:SecretString:password}}",
                                                          "API_TOKEN_PARAM": "ssm:/prod/token", "SECRET_ARN": "arn:aws:ssm:us-east-1:123456789012:parameter/x"}))
good("max-tokens-not-secret", with_(BASE, environment_variables={"MAX_TOKENS": "4096", "TOKEN_TTL": "300"}))
good("sns-dlq", with_(BASE, dead_letter_config={"target_arn": "arn:aws:sns:us-east-1:123456789012:topic"}))
good("java-handler", with_(BASE, runtime="java21", handler="example.Handler::handleRequest"))
good("provided-runtime", with_(BASE, runtime="provided.al2023", handler="bootstrap"))
good("deprecated-is-a-warning", with_(BASE, runtime="dotnet8", handler="Assembly::Namespace.Class::Method"))
good("forty-seven-tags", with_(BASE, tags={f"k{i}": "v" for i in range(47)}))
good("fifty-tags-naming-the-modules-own", with_(BASE, tags=dict({f"k{i}": "v" for i in range(47)}, ManagedBy="team", RegistryRevision="x", RegistrySnapshot="y")))
good("tag-value-empty", with_(BASE, tags={"Empty": ""}))
good("sixteen-subnets", with_(BASE, vpc_config={"subnet_ids": [f"subnet-{i}" for i in range(16)], "security_group_ids": [f"sg-{i}" for i in range(5)]}))
good("unicode-description", with_(BASE, description="Gerät-Status 📟"))
good("env-4096-bytes", with_(BASE, environment_variables={"BIG": "x" * 4093}))
# The name of a secret, not a secret.
good("secret-name-not-secret", with_(BASE, environment_variables={"SECRET_NAME": "MySecret", "TOKEN_TABLE": "Tokens", "API_KEY_HEADER": "x-api-key"}))
# IAM accepts the short form, AWS-owned resources (account "aws") and any partition.
good("iam-short-forms", with_(BASE, additional_policies=[
    {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "iot:Publish"], "Resource": ["arn:aws:logs:*", "arn:aws:iot:*"]},
    {"Effect": "Allow", "Action": "lambda:GetLayerVersion", "Resource": ["arn:aws:lambda:us-east-1:aws:layer:x:1", "arn:aws:iam::aws:policy/ReadOnlyAccess"]},
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:*:s3:::bucket/*", "arn:aws-cn:s3:::bucket/*", "arn:aws:iam::*:role/app"]}]))
# OPTIONS is the preflight itself; ANY with an explicit list is only a warning.
good("cors-options-not-listed", with_(BASE, api={"path": "/a", "methods": ["GET", "OPTIONS"], "cors": {"allowed_methods": ["GET"]}}))
good("cors-any-explicit-list", with_(BASE, api={"path": "/a", "methods": ["ANY"], "cors": {"allowed_methods": ["GET", "POST"]}}))
for case_id, api in [("cognito-own-pool", {"authorizer": "cognito", "authorizer_arn": POOL}), ("iam", {"authorizer": "iam"}),
                     ("lambda-function", {"authorizer": "lambda", "authorizer_function": "auth_fn"}),
                     ("lambda-arn", {"authorizer": "lambda", "authorizer_arn": AUTH_FN})]:
    good(f"authorizer-{case_id}", with_(BASE, api=dict({"path": "/a", "methods": ["GET"]}, **api)))
good("beyond-every-field", with_(BASE, runtime="java21", handler="example.Handler::handleRequest", architectures=["arm64"], ephemeral_storage=10240,
                                 reserved_concurrent_executions=0, snap_start={"apply_on": "PublishedVersions"},
                                 logging_config={"log_format": "JSON", "application_log_level": "INFO", "system_log_level": "WARN", "log_group": "/custom/group"},
                                 managed_policies=["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::123456789012:policy/team/app"],
                                 function_url={"auth_type": "AWS_IAM", "invoke_mode": "RESPONSE_STREAM", "cors": {"allow_origins": ["https://a.example.com"], "max_age": 600}},
                                 events=[{"type": "sqs", "queue_arn": "arn:aws:sqs:us-east-1:123456789012:jobs", "batch_size": 100, "maximum_batching_window": 5},
                                         {"type": "sns", "topic_arn": "arn:aws:sns:us-east-1:123456789012:alerts"},
                                         {"type": "s3", "bucket": "uploads.example-1", "events": ["s3:ObjectCreated:*"], "prefix": "in/", "suffix": ".csv"},
                                         {"type": "schedule", "expression": "rate(1 hour)"}, {"type": "schedule", "expression": "cron(0 12 ? * MON-FRI *)", "enabled": False},
                                         {"type": "eventbridge", "pattern": {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]}},
                                         {"type": "dynamodb", "stream_arn": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000", "starting_position": "LATEST"},
                                         {"type": "kinesis", "stream_arn": "arn:aws:kinesis:us-east-1:123456789012:stream/clicks", "starting_position": "TRIM_HORIZON", "batch_size": 500}],
                                 api={"path": "/v2/items/{id}", "methods": ["GET", "PUT"], "type": "http", "authorizer": "iam"}))
good("beyond-existing-role", with_(BASE, role_arn="arn:aws:iam::123456789012:role/service/existing-app"))
good("beyond-snapstart-python", with_(BASE, runtime="python3.13", snap_start={"apply_on": "PublishedVersions"}))
good("beyond-public-url", with_(BASE, function_url={"auth_type": "NONE"}))
good("api-path-dots-and-underscores", with_(BASE, api={"path": "/v1.2/device_status/{device.id}", "methods": ["GET"]}))

out = {"today": "2026-11-26", "cases": invalid + valid}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Corpus", "function-cases.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1, ensure_ascii=False, sort_keys=True)
    f.write("\n")
print(f"{len(invalid)} invalid and {len(valid)} valid cases")
