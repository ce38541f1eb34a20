data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_partition" "current" {}

locals {
  partition = data.aws_partition.current.partition
  # Functions that name an existing role (role_arn) get none: nothing is attached to that role.
  generated = { for name, f in var.functions : name => f if f.role_arn == null }
  managed = merge([
    for name, f in local.generated : { for arn in coalesce(f.managed_policies, []) : "${name}|${arn}" => { function = name, arn = arn } }
  ]...)
  # What each function's event sources need to read (Lambda polls queues and streams with the
  # function's role).
  event_statements = {
    for name, text in var.events : name => concat(
      [for e in jsondecode(text) : {
        Effect   = "Allow"
        Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
        Resource = [e.queue_arn]
      } if e.type == "sqs"],
      [for e in jsondecode(text) : {
        Effect   = "Allow"
        Action   = ["dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams"]
        Resource = [e.stream_arn]
      } if e.type == "dynamodb"],
      [for e in jsondecode(text) : {
        Effect   = "Allow"
        Action   = ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:ListStreams", "kinesis:SubscribeToShard"]
        Resource = [e.stream_arn]
      } if e.type == "kinesis"],
    ) if contains(keys(local.generated), name)
  }
  # Statements normalised so that their order (and the order of Action/Resource lists) never causes
  # plan noise: lists become sorted sets, statements are sorted by their canonical JSON. Statements
  # of any shape (with or without Sid or Condition, Action a string or a list, NotAction,
  # NotResource) stay JSON text until the policy is written.
  policies = {
    for name, text in var.additional_policies : name => jsonencode({
      Version = "2012-10-17"
      Statement = [
        for text in sort([
          for s in jsondecode(text) : jsonencode({
            for k, v in {
              Sid         = try(s.Sid, null)
              Effect      = s.Effect
              Action      = try(sort(distinct(flatten([s.Action]))), null)
              NotAction   = try(sort(distinct(flatten([s.NotAction]))), null)
              Resource    = try(sort(distinct(flatten([s.Resource]))), null)
              NotResource = try(sort(distinct(flatten([s.NotResource]))), null)
              Condition   = try(s.Condition, null)
            } : k => v if v != null
          })
        ]) : jsondecode(text)
      ]
    }) if contains(keys(local.generated), name) && length(jsondecode(text)) > 0
  }
  dlq_actions = {
    for name, f in var.functions : name => (
      split(":", f.dead_letter_config.target_arn)[2] == "sns" ? "sns:Publish" : "sqs:SendMessage"
    ) if f.dead_letter_config != null && f.role_arn == null
  }
}

resource "aws_iam_role" "this" {
  for_each = local.generated

  name                 = "${var.name_prefix}${each.key}${local.limits.role_suffix}"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  permissions_boundary = var.permissions_boundary_arn
  tags                 = merge(var.tags, each.value.tags)

  lifecycle {
    precondition {
      condition     = length("${var.name_prefix}${each.key}${local.limits.role_suffix}") <= local.limits.role_name_maximum
      error_message = "The role name \"${var.name_prefix}${each.key}${local.limits.role_suffix}\" is longer than IAM's ${local.limits.role_name_maximum} characters: shorten the function's name (fnreg validate reports it with the file)."
    }
  }
}

resource "aws_iam_role_policy_attachment" "basic" {
  for_each = local.generated

  role       = aws_iam_role.this[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_iam_role_policy_attachment" "vpc" {
  for_each = { for name, f in local.generated : name => f if f.vpc_config != null }

  role       = aws_iam_role.this[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

resource "aws_iam_role_policy_attachment" "xray" {
  for_each = { for name, f in local.generated : name => f if f.tracing_config.mode == "Active" }

  role       = aws_iam_role.this[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

resource "aws_iam_role_policy" "dead_letter" {
  for_each = local.dlq_actions

  name = "dead-letter-queue"
  role = aws_iam_role.this[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = [each.value]
      Resource = [var.functions[each.key].dead_letter_config.target_arn]
    }]
  })
}

resource "aws_iam_role_policy" "additional" {
  for_each = local.policies

  name   = "additional-policies"
  role   = aws_iam_role.this[each.key].id
  policy = each.value
}

resource "aws_iam_role_policy_attachment" "managed" {
  for_each = local.managed

  role       = aws_iam_role.this[each.value.function].name
  policy_arn = each.value.arn
}

resource "aws_iam_role_policy" "event_sources" {
  for_each = { for name, statements in local.event_statements : name => statements if length(statements) > 0 }

  name = "event-sources"
  role = aws_iam_role.this[each.key].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = each.value
  })
}
