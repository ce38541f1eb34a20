data "aws_partition" "current" {}

locals {
  partition = data.aws_partition.current.partition
  # Every event source by "<function>/<type>-<hash of its identity>": what identifies a source (its
  # queue, topic, stream, bucket and filter, schedule, or bus and pattern), so that reordering a
  # function's events or changing a batch size never replaces the others.
  sources = merge([
    for name, text in var.events : {
      for e in jsondecode(text) : "${name}/${e.type}-${substr(sha1(join(" ", [name, e.type, try(e.queue_arn, ""), try(e.topic_arn, ""),
        try(e.stream_arn, ""), try(e.bucket, ""), try(e.prefix, ""), try(e.suffix, ""), try(e.expression, ""), try(e.event_bus, "default"),
      try(jsonencode(e.pattern), "")])), 0, 8)}" => merge(e, { function = name })
    }
    if contains(keys(var.functions), name)
  ]...)
  polled    = { for key, e in local.sources : key => e if contains(["sqs", "dynamodb", "kinesis"], e.type) }
  topics    = { for key, e in local.sources : key => e if e.type == "sns" }
  rules     = { for key, e in local.sources : key => e if contains(["schedule", "eventbridge"], e.type) }
  s3        = { for key, e in local.sources : key => e if e.type == "s3" }
  s3_bucket = { for bucket in distinct([for e in values(local.s3) : e.bucket]) : bucket => [for key, e in local.s3 : merge(e, { key = key }) if e.bucket == bucket] }
}

# SQS queues, DynamoDB and Kinesis streams: Lambda polls them with the function's role (the iam
# module grants what polling needs).
resource "aws_lambda_event_source_mapping" "this" {
  for_each = local.polled

  event_source_arn                   = each.value.type == "sqs" ? each.value.queue_arn : each.value.stream_arn
  function_name                      = var.function_arns[each.value.function]
  batch_size                         = try(each.value.batch_size, null)
  maximum_batching_window_in_seconds = try(each.value.maximum_batching_window, null)
  starting_position                  = each.value.type == "sqs" ? null : each.value.starting_position
  enabled                            = try(each.value.enabled, true)
  tags                               = var.tags
}

# SNS topics: a subscription, and the permission for SNS to invoke the function.
resource "aws_sns_topic_subscription" "this" {
  for_each = local.topics

  topic_arn = each.value.topic_arn
  protocol  = "lambda"
  endpoint  = var.function_arns[each.value.function]
}

resource "aws_lambda_permission" "sns" {
  for_each = local.topics

  statement_id  = "AllowSNS-${replace(each.key, "/", "-")}"
  action        = "lambda:InvokeFunction"
  function_name = var.function_names[each.value.function]
  principal     = "sns.amazonaws.com"
  source_arn    = each.value.topic_arn
}

# Schedules and EventBridge patterns: a rule, its target, and the permission.
resource "aws_cloudwatch_event_rule" "this" {
  for_each = local.rules

  name                = "${substr("${var.name_prefix}${each.value.function}", 0, 55)}-${substr(split("-", split("/", each.key)[1])[1], 0, 8)}"
  description         = "fnreg: ${each.value.type} event source of ${each.value.function}"
  schedule_expression = each.value.type == "schedule" ? each.value.expression : null
  event_pattern       = each.value.type == "eventbridge" ? jsonencode(each.value.pattern) : null
  event_bus_name      = each.value.type == "eventbridge" ? try(each.value.event_bus, "default") : "default"
  state               = try(each.value.enabled, true) ? "ENABLED" : "DISABLED"
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  for_each = local.rules

  rule           = aws_cloudwatch_event_rule.this[each.key].name
  event_bus_name = aws_cloudwatch_event_rule.this[each.key].event_bus_name
  arn            = var.function_arns[each.value.function]
}

resource "aws_lambda_permission" "events" {
  for_each = local.rules

  statement_id  = "AllowEvents-${replace(each.key, "/", "-")}"
  action        = "lambda:InvokeFunction"
  function_name = var.function_names[each.value.function]
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.this[each.key].arn
}

# S3 buckets: one notification configuration per bucket with every function that listens to it.
# It replaces whatever notifications the bucket had: a bucket named here is this module's to notify.
resource "aws_lambda_permission" "s3" {
  for_each = local.s3

  statement_id  = "AllowS3-${replace(each.key, "/", "-")}"
  action        = "lambda:InvokeFunction"
  function_name = var.function_names[each.value.function]
  principal     = "s3.amazonaws.com"
  source_arn    = "arn:${local.partition}:s3:::${each.value.bucket}"
}

resource "aws_s3_bucket_notification" "this" {
  for_each = local.s3_bucket

  bucket = each.key

  dynamic "lambda_function" {
    for_each = each.value
    content {
      id                  = replace(lambda_function.value.key, "/", "-")
      lambda_function_arn = var.function_arns[lambda_function.value.function]
      events              = lambda_function.value.events
      filter_prefix       = try(lambda_function.value.prefix, null)
      filter_suffix       = try(lambda_function.value.suffix, null)
    }
  }

  depends_on = [aws_lambda_permission.s3]
}
