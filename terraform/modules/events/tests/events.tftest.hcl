# terraform test (mocked provider, offline): one resource set per event source type, keys that do
# not depend on the order of a function's events, and one notification configuration per bucket.
mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

variables {
  name_prefix    = "prod-"
  function_arns  = { f = "arn:aws:lambda:us-east-1:123456789012:function:prod-f", g = "arn:aws:lambda:us-east-1:123456789012:function:prod-g" }
  function_names = { f = "prod-f", g = "prod-g" }
  functions = {
    f = { name = "f", description = "d", runtime = "python3.13", handler = "a.b", code_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000" }
    g = { name = "g", description = "d", runtime = "python3.13", handler = "a.b", code_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000" }
  }
  events = {
    f = "[{\"type\":\"sqs\",\"queue_arn\":\"arn:aws:sqs:us-east-1:123456789012:q\",\"batch_size\":20,\"maximum_batching_window\":5},{\"type\":\"sns\",\"topic_arn\":\"arn:aws:sns:us-east-1:123456789012:t\"},{\"type\":\"schedule\",\"expression\":\"rate(1 hour)\",\"enabled\":false},{\"type\":\"eventbridge\",\"pattern\":{\"source\":[\"aws.ec2\"]}},{\"type\":\"dynamodb\",\"stream_arn\":\"arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000\",\"starting_position\":\"LATEST\"},{\"type\":\"s3\",\"bucket\":\"uploads\",\"events\":[\"s3:ObjectCreated:*\"],\"prefix\":\"f/\"}]"
    g = "[{\"type\":\"s3\",\"bucket\":\"uploads\",\"events\":[\"s3:ObjectCreated:*\"],\"prefix\":\"g/\"}]"
  }
}

run "every_type" {
  command = plan
  assert {
    condition     = length(aws_lambda_event_source_mapping.this) == 2 && length(aws_sns_topic_subscription.this) == 1 && length(aws_cloudwatch_event_rule.this) == 2
    error_message = "one mapping per queue and stream, a subscription per topic, a rule per schedule and pattern"
  }
  assert {
    condition     = length(aws_s3_bucket_notification.this) == 1 && length(aws_s3_bucket_notification.this["uploads"].lambda_function) == 2
    error_message = "one notification configuration per bucket, with every function listening to it"
  }
  assert {
    condition     = length(aws_lambda_permission.sns) == 1 && length(aws_lambda_permission.events) == 2 && length(aws_lambda_permission.s3) == 2
    error_message = "a permission for each pushing source"
  }
  assert {
    condition     = alltrue([for r in aws_cloudwatch_event_rule.this : length(r.name) <= 64 && startswith(r.name, "prod-f-")])
    error_message = "rule names fit EventBridge's 64 characters"
  }
  assert {
    condition     = one([for r in aws_cloudwatch_event_rule.this : r.state if r.schedule_expression == "rate(1 hour)"]) == "DISABLED"
    error_message = "enabled = false disables the rule"
  }
}

run "keys_do_not_depend_on_order" {
  command = plan
  variables {
    events = {
      f = "[{\"type\":\"s3\",\"bucket\":\"uploads\",\"events\":[\"s3:ObjectCreated:*\"],\"prefix\":\"f/\"},{\"type\":\"dynamodb\",\"stream_arn\":\"arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000\",\"starting_position\":\"LATEST\"},{\"type\":\"eventbridge\",\"pattern\":{\"source\":[\"aws.ec2\"]}},{\"type\":\"schedule\",\"expression\":\"rate(1 hour)\",\"enabled\":false},{\"type\":\"sns\",\"topic_arn\":\"arn:aws:sns:us-east-1:123456789012:t\"},{\"type\":\"sqs\",\"queue_arn\":\"arn:aws:sqs:us-east-1:123456789012:q\",\"batch_size\":10}]"
      g = "[{\"type\":\"s3\",\"bucket\":\"uploads\",\"events\":[\"s3:ObjectCreated:*\"],\"prefix\":\"g/\"}]"
    }
  }
  assert {
    condition     = toset(keys(aws_lambda_event_source_mapping.this)) == toset(keys(run.every_type.event_source_mappings))
    error_message = "reordering events or changing a batch size keeps every source's key"
  }
  assert {
    condition     = toset(keys(aws_cloudwatch_event_rule.this)) == toset(keys(run.every_type.rule_arns))
    error_message = "reordering events keeps every rule's key"
  }
}
