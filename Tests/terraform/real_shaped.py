#!/usr/bin/env python3
"""Writes a configuration repository of real-shaped Lambda functions (the shapes teams write, as
converted from public serverless projects) that `fnreg validate` accepts and that must plan with the
real hashicorp/aws provider:

* IAM statements of mixed shapes in one policy: with and without Sid and Condition, Action a string
  in one and a list in another, NotAction, NotResource, wildcards, AWS-owned and short-form ARNs;
* several functions on one API path (different methods), each with its own CORS rules;
* every authorizer kind: cognito (the environment's pools, or the function's own pool), iam, lambda
  (a function of the registry, or any function by ARN), and open methods;
* names at the longest the environment prefix allows, VPC, SQS and SNS dead-letter queues, up to 5
  layers, Active and PassThrough tracing, path parameters, greedy paths, ANY, request parameters and
  validators, 50 tags with the modules' own, environment variables near the 4 KB limit;
* environments with environment.json and overrides that change paths, authorizers and policies;
* the fields beyond the seed: arm64, ephemeral storage, reserved concurrency, SnapStart (Java and
  Python), logging configuration, existing roles, managed policies, function URLs (public and IAM,
  with CORS), event sources of every type (SQS, SNS, S3, schedules, EventBridge patterns, DynamoDB
  and Kinesis streams) and HTTP APIs with IAM and Lambda authorizers beside the REST API.

  python3 Tests/terraform/real_shaped.py OUT_DIR [--functions 300] [--environment prod]

OUT_DIR becomes a git repository with one commit. Deterministic (fixed seed)."""
import argparse, json, os, random, subprocess

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--functions", type=int, default=300)
p.add_argument("--environment", default="prod")
a = p.parse_args()
rng = random.Random(17)
env = a.environment
ACCOUNT = "123456789012"
REGION = "us-east-1"
# Runtimes hashicorp/aws 5.100.0 knows that are not deprecated on 2026-11-26 (the day the test
# validates at: --today).
RUNTIMES = [("python3.12", "app.handler"), ("python3.13", "handler.main"), ("nodejs22.x", "index.handler"), ("nodejs22.x", "dist/index.handler"),
            ("java21", "com.example.Handler::handleRequest"), ("ruby3.3", "function.handler"), ("provided.al2023", "bootstrap"),
            ("ruby3.4", "app.App.handle")]
POOL = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{REGION}_RealShaped1"
LAYERS = [f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:shared-{n}:{v}" for n, v in [("utils", 7), ("otel", 3), ("powertools", 42), ("sentry", 1), ("db", 12)]]
# The longest name "<env>-<name>-lambda" (IAM's 64) allows in this environment.
LONGEST = 64 - len(env) - len("-") - len("-lambda")


def statement_shapes(i, name):
    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
    shapes = [
        {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": table},
        {"Sid": f"Write{i}", "Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"], "Resource": [table, table + "/index/*"]},
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::bucket-{i % 7}/*",
         "Condition": {"StringEquals": {"s3:ExistingObjectTag/team": f"team-{i % 5}"}, "Bool": {"aws:SecureTransport": "true"}}},
        {"Effect": "Deny", "NotAction": ["s3:GetObject", "s3:ListBucket"], "NotResource": [f"arn:aws:s3:::bucket-{i % 7}", f"arn:aws:s3:::bucket-{i % 7}/*"]},
        {"Effect": "Allow", "Action": "logs:*", "Resource": "arn:aws:logs:*"},
        {"Sid": "Publish", "Effect": "Allow", "Action": "sns:Publish", "Resource": f"arn:aws:sns:{REGION}:{ACCOUNT}:events-{i % 4}",
         "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:*"}}},
        {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": "*", "Condition": {"StringLike": {"kms:ViaService": ["s3.*.amazonaws.com", "dynamodb.*.amazonaws.com"]}}},
        {"Effect": "Allow", "Action": "iot:Publish", "Resource": "arn:aws:iot:*"},
        {"Effect": "Allow", "Action": "lambda:GetLayerVersion", "Resource": f"arn:aws:lambda:{REGION}:aws:layer:*"},
        {"Effect": "Allow", "Action": "ssm:GetParameter*", "Resource": f"arn:*:ssm:{REGION}:{ACCOUNT}:parameter/{name}/*"},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": f"arn:aws:iam::{ACCOUNT}:role/{name}-*"},
    ]
    count = 1 + i % 6
    return [shapes[(i + k * 3) % len(shapes)] for k in range(count)]


def name_of(i):
    if i % 41 == 0:   # as long as the environment prefix allows
        base = f"fn_{i:04d}_" + "x" * 80
        return base[:LONGEST]
    return f"fn_{i:04d}_" + ["orders", "devices", "billing", "users", "telemetry", "reports"][i % 6]


def function(i, names):
    name = name_of(i)
    runtime, handler = RUNTIMES[i % len(RUNTIMES)]
    doc = {"name": name, "description": f"Real-shaped function {i}: handles {['orders', 'devices', 'billing', 'users'][i % 4]}",
           "runtime": runtime, "handler": handler}
    if i % 3:
        doc["timeout"] = [1, 3, 15, 30, 60, 300, 900][i % 7]
    if i % 4:
        doc["memory_size"] = [128, 256, 512, 1024, 1769, 3008, 10240][i % 7]
    if i % 5 == 0:
        doc["layers"] = LAYERS[: 1 + i % 5]
    if i % 2 == 0:
        doc["environment_variables"] = {"LOG_LEVEL": "INFO", "TABLE_NAME": name, "POWERTOOLS_SERVICE_NAME": f"svc-{i % 9}",
                                        "DB_SECRET_ARN": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-AbCdEf"}
    if i % 37 == 0:   # near Lambda's 4 KB
        doc["environment_variables"] = {f"SETTING_{k:02d}": "v" * 120 for k in range(30)}
    if i % 3 != 1:
        doc["additional_policies"] = statement_shapes(i, name)
    if i % 6 == 0:
        doc["vpc_config"] = {"subnet_ids": [f"subnet-0a{i % 10}b{k}c" for k in range(1 + i % 3)],
                             "security_group_ids": [f"sg-0d{i % 10}e{k}" for k in range(1 + i % 2)], "assign_public_ip": False}
    if i % 7 == 0:
        kind = "sqs" if i % 2 else "sns"
        doc["dead_letter_config"] = {"target_arn": f"arn:aws:{kind}:{REGION}:{ACCOUNT}:dlq-{i % 5}", **({"max_receive_count": 5} if kind == "sqs" else {})}
    if i % 4 == 0:
        doc["tracing_config"] = {"mode": "Active" if i % 8 == 0 else "PassThrough"}
    tags = {"Service": f"service-{i % 20}", "Owner": f"team-{i % 7}"}
    if i % 29 == 0:
        tags = {f"tag{k:02d}": f"value-{k}" for k in range(46)}   # with Environment and the modules' 3: 50
    doc["tags"] = tags
    api = api_of(i, names)
    if api:
        doc["api"] = api
    beyond(i, doc)
    return doc


def events_of(i, name):
    kinds = [
        {"type": "sqs", "queue_arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs-{i}", "batch_size": [1, 10, 100, 1000][i % 4], "maximum_batching_window": [0, 1, 30, 300][i % 4]},
        {"type": "sqs", "queue_arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders-{i}.fifo", "batch_size": 10},
        {"type": "sns", "topic_arn": f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts-{i % 6}"},
        {"type": "s3", "bucket": f"real-shaped-uploads-{i % 5}", "events": ["s3:ObjectCreated:*"], "prefix": f"in/{name}/", "suffix": ".csv"},
        {"type": "s3", "bucket": f"real-shaped-uploads-{i % 5}", "events": ["s3:ObjectRemoved:Delete", "s3:ObjectCreated:Put"], "prefix": f"archive/{name}/"},
        {"type": "schedule", "expression": ["rate(5 minutes)", "rate(1 hour)", "cron(0 12 ? * MON-FRI *)", "cron(15 2 1 * ? *)"][i % 4]},
        {"type": "schedule", "expression": "rate(1 day)", "enabled": False},
        {"type": "eventbridge", "pattern": {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"], "detail": {"state": ["stopped"]}}},
        {"type": "eventbridge", "pattern": {"source": [f"com.example.orders{i % 3}"]}, "event_bus": f"orders-bus-{i % 2}"},
        {"type": "dynamodb", "stream_arn": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}/stream/2026-01-01T00:00:00.000", "starting_position": "LATEST", "batch_size": 100},
        {"type": "kinesis", "stream_arn": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/clicks-{i % 4}", "starting_position": "TRIM_HORIZON", "batch_size": 500, "maximum_batching_window": 10},
    ]
    count = 1 + i % 3
    return [kinds[(i + k * 4) % len(kinds)] for k in range(count)]


def beyond(i, doc):
    name = doc["name"]
    if i % 7 == 2:
        doc["architectures"] = ["arm64"]
    elif i % 7 == 3:
        doc["architectures"] = ["x86_64"]
    if i % 11 == 0:
        doc["ephemeral_storage"] = [512, 2048, 10240][i % 3]
    if i % 13 == 0:
        doc["reserved_concurrent_executions"] = [0, 5, 100][i % 3]
    if doc["runtime"] in ("java21", "python3.12", "python3.13") and i % 3 == 0:
        doc["snap_start"] = {"apply_on": "PublishedVersions"}
    if i % 10 == 7:
        doc["logging_config"] = {"log_format": "JSON", "application_log_level": ["INFO", "DEBUG", "WARN"][i % 3], "system_log_level": "WARN",
                                 **({"log_group": f"/real-shaped/{name}"} if i % 20 == 7 else {})}
    elif i % 10 == 8:
        doc["logging_config"] = {"log_format": "Text"}
    if i % 23 == 5:   # an existing role: nothing generated, so no policies of its own
        doc["role_arn"] = f"arn:aws:iam::{ACCOUNT}:role/service-role/existing-{i % 4}"
        doc.pop("additional_policies", None)
    elif i % 8 == 3:
        doc["managed_policies"] = ["arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
                                   f"arn:aws:iam::{ACCOUNT}:policy/team/{name}-extra"][: 1 + i % 2]
    if i % 17 == 0:
        doc["function_url"] = {"auth_type": "NONE"}
    elif i % 17 == 8:
        doc["function_url"] = {"auth_type": "AWS_IAM", "invoke_mode": "RESPONSE_STREAM",
                               "cors": {"allow_origins": ["https://app.example.com"], "allow_methods": ["GET", "POST"], "allow_headers": ["content-type"],
                                        "max_age": 300, "allow_credentials": True}}
    if i % 5 == 4 or i % 9 == 2:
        doc["events"] = events_of(i, name)


AUTHORIZERS = [None, {"authorizer": "cognito"}, {"authorizer": "cognito", "authorizer_arn": POOL}, {"authorizer": "iam"},
               {"authorizer": "lambda", "authorizer_function": "fn_0001_devices"},
               {"authorizer": "lambda", "authorizer_arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:shared-authorizer"}]


def api_of(i, names):
    if i % 5 == 4 or i == 1:   # no API (fn_0001_devices is the lambda authorizer)
        return None
    group = i // 10          # about ten functions share each resource tree, several on one path
    methods_by_slot = [["GET"], ["POST"], ["PUT"], ["DELETE"], ["PATCH"], ["GET"], ["ANY"], ["HEAD"], ["GET", "POST"], ["PUT"]]
    slot = i % 10
    path = [f"/g{group}/items", f"/g{group}/items", f"/g{group}/items/{{itemId}}", f"/g{group}/items/{{itemId}}",
            f"/g{group}/items/{{itemId}}", f"/g{group}/items/{{itemId}}/parts", f"/g{group}/files/{{proxy+}}", f"/g{group}/items",
            f"/g{group}/v1.2/status_check", f"/g{group}/items/{{itemId}}/parts"][slot]
    methods = methods_by_slot[slot]
    api = {"path": path, "methods": methods}
    http = group % 4 == 3     # a quarter of the resource trees are served by the HTTP API
    if http:
        api["type"] = "http"
    auth = AUTHORIZERS[i % len(AUTHORIZERS)]
    if auth and http and auth["authorizer"] == "cognito":
        auth = {"authorizer": "iam"}
    if auth:
        api.update(auth)
    if http:
        if slot in (0, 1, 2, 3):
            api["cors"] = {"allowed_origins": ["https://app.example.com"], "allowed_headers": ["Content-Type", "Authorization"],
                           "allowed_methods": methods, "max_age": 600}
        return api
    if slot in (0, 1, 2, 3):
        api["cors"] = {"allowed_origins": [f"https://app{slot % 2}.example.com"], "allowed_headers": ["Content-Type", "Authorization"],
                       "allowed_methods": methods + (["OPTIONS"] if slot % 2 else []), "max_age": 600 * (slot + 1),
                       **({"allow_credentials": True} if slot == 1 else {})}
    if "{itemId}" in path:
        api["request_parameters"] = {"method.request.path.itemId": True, "method.request.querystring.verbose": False}
    if slot == 1:
        api["request_validator"] = {"validate_body": True, "validate_parameters": slot % 2 == 0}
    return api


out = a.out
os.makedirs(out, exist_ok=True)
names = [name_of(i) for i in range(a.functions)]
for i in range(a.functions):
    d = os.path.join(out, "lambda_functions", f"team{i % 12}", names[i])
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "function.json"), "w") as f:
        json.dump(function(i, names), f, indent=2)
    with open(os.path.join(d, "app.py"), "w") as f:
        f.write(f"def handler(event, context):\n    return {{'statusCode': 200, 'body': 'fn {i}'}}\n")
envdir = os.path.join(out, "terraform", "environments", env)
os.makedirs(os.path.join(envdir, "overrides"), exist_ok=True)
with open(os.path.join(envdir, "environment.json"), "w") as f:
    json.dump({"environment_variables": {"ENVIRONMENT": env}, "tags": {"Environment": env}}, f, indent=2)
# Overrides: a bigger memory, a path of its own, an authorizer changed, a policy replaced.
for i in range(0, a.functions, 23):
    patch = {"memory_size": 2048}
    if i % 2 and api_of(i, names):
        patch["api"] = {"authorizer": "iam", "authorizer_arn": None, "authorizer_function": None}
    if i % 3 == 0:
        patch["additional_policies"] = [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{env}-jobs"}]
    with open(os.path.join(envdir, "overrides", names[i] + ".json"), "w") as f:
        json.dump(patch, f, indent=2)
git = ["git", "-C", out, "-c", "user.name=real-shaped", "-c", "user.email=real-shaped@example.com", "-c", "commit.gpgsign=false"]
subprocess.run(["git", "init", "-q", "-b", "main", out], check=True)
subprocess.run(git + ["add", "-A"], check=True)
subprocess.run(git + ["commit", "-q", "-m", f"{a.functions} real-shaped functions"], check=True)
print(f"{a.functions} functions in {out} (environment {env})")
