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
    }) if contains(keys(var.functions), name) && length(jsondecode(text)) > 0
  }
  dlq_actions = {
    for name, f in var.functions : name => (
      split(":", f.dead_letter_config.target_arn)[2] == "sns" ? "sns:Publish" : "sqs:SendMessage"
    ) if f.dead_letter_config != null
  }
}

resource "aws_iam_role" "this" {
  for_each = var.functions

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
  for_each = var.functions

  role       = aws_iam_role.this[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_iam_role_policy_attachment" "vpc" {
  for_each = { for name, f in var.functions : name => f if f.vpc_config != null }

  role       = aws_iam_role.this[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

resource "aws_iam_role_policy_attachment" "xray" {
  for_each = { for name, f in var.functions : name => f if f.tracing_config.mode == "Active" }

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
