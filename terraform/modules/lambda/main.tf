locals {
  # Code is addressed by content: an exported past snapshot points at that past code.
  code_keys = { for name, f in var.functions : name => "${name}/${trimprefix(f.code_hash, "sha256:")}.zip" }
}

resource "aws_cloudwatch_log_group" "this" {
  for_each = var.functions

  name              = "/aws/lambda/${var.name_prefix}${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = merge(var.tags, each.value.tags)
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_115:Reserved concurrency is set where function.json asks for it (reserved_concurrent_executions); elsewhere limits are the account's.
  #checkov:skip=CKV_AWS_272:Code is content-addressed (S3 key = code_hash) and uploaded only by the pipeline; no signing profile in this pattern.
  for_each = var.functions

  function_name = "${var.name_prefix}${each.key}"
  description   = each.value.description
  # An existing role (role_arn) or the one the iam module made.
  role          = each.value.role_arn != null ? each.value.role_arn : var.role_arns[each.key]
  runtime       = each.value.runtime
  handler       = each.value.handler
  timeout       = each.value.timeout
  memory_size   = each.value.memory_size
  layers        = each.value.layers
  s3_bucket     = var.artifact_bucket
  s3_key        = local.code_keys[each.key]
  kms_key_arn   = var.kms_key_arn
  tags          = merge(var.tags, each.value.tags)
  architectures = each.value.architectures
  # -1: unreserved (the provider's default when function.json says nothing).
  reserved_concurrent_executions = each.value.reserved_concurrent_executions != null ? each.value.reserved_concurrent_executions : -1
  # SnapStart snapshots published versions.
  publish = try(each.value.snap_start.apply_on, "None") == "PublishedVersions"

  dynamic "ephemeral_storage" {
    for_each = each.value.ephemeral_storage != null ? [each.value.ephemeral_storage] : []
    content {
      size = ephemeral_storage.value
    }
  }

  dynamic "snap_start" {
    for_each = each.value.snap_start != null ? [each.value.snap_start] : []
    content {
      apply_on = snap_start.value.apply_on
    }
  }

  dynamic "logging_config" {
    for_each = each.value.logging_config != null ? [each.value.logging_config] : []
    content {
      log_format            = logging_config.value.log_format
      application_log_level = logging_config.value.application_log_level
      system_log_level      = logging_config.value.system_log_level
      log_group             = logging_config.value.log_group != null ? logging_config.value.log_group : aws_cloudwatch_log_group.this[each.key].name
    }
  }

  lifecycle {
    precondition {
      condition     = length("${var.name_prefix}${each.key}") <= local.limits.function_name_maximum && can(regex("^[a-zA-Z0-9_-]+$", "${var.name_prefix}${each.key}"))
      error_message = "The function name \"${var.name_prefix}${each.key}\" is not a Lambda function name (at most ${local.limits.function_name_maximum} letters, digits, '-' and '_'): shorten the function's name (fnreg validate reports it with the file)."
    }
  }

  dynamic "environment" {
    for_each = length(each.value.environment_variables) > 0 ? [each.value.environment_variables] : []
    content {
      variables = environment.value
    }
  }

  dynamic "vpc_config" {
    for_each = each.value.vpc_config != null ? [each.value.vpc_config] : []
    content {
      subnet_ids                  = vpc_config.value.subnet_ids
      security_group_ids          = vpc_config.value.security_group_ids
      ipv6_allowed_for_dual_stack = false
    }
  }

  dynamic "dead_letter_config" {
    for_each = each.value.dead_letter_config != null ? [each.value.dead_letter_config] : []
    content {
      target_arn = dead_letter_config.value.target_arn
    }
  }

  tracing_config {
    mode = each.value.tracing_config.mode
  }

  depends_on = [aws_cloudwatch_log_group.this]
}

# `max_receive_count` of the seed's dead_letter_config and `assign_public_ip` of vpc_config have no
# argument on aws_lambda_function (a function in a VPC never has a public IP; redrive counts belong to
# the queue): they stay in the registry (`fnreg show`) and are not deployed.

# A public URL (auth_type NONE) is callable only with this permission. Since October 2025 Lambda also
# wants lambda:InvokeFunction for calls through the URL (condition lambda:InvokedViaFunctionUrl),
# which hashicorp/aws 5.100.0 cannot declare: `fnreg validate` warns (FN-FUNCTION-URL-PUBLIC).
resource "aws_lambda_permission" "function_url" {
  #checkov:skip=CKV_AWS_301:Only for function_url.auth_type NONE, a public URL function.json asks for on purpose; the permission is limited to function URL calls (lambda:FunctionUrlAuthType NONE).
  for_each = { for name, f in var.functions : name => f if f.function_url != null && try(f.function_url.auth_type, "") == "NONE" }

  statement_id           = "AllowPublicFunctionUrl"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.this[each.key].function_name
  principal              = "*"
  function_url_auth_type = "NONE"
}

# A function URL where function.json asks for one (auth_type AWS_IAM, or NONE: a public URL).
resource "aws_lambda_function_url" "this" {
  #checkov:skip=CKV_AWS_258:auth_type NONE is written in function.json on purpose (a public endpoint); fnreg deploys only what the configuration says.
  for_each = { for name, f in var.functions : name => f.function_url if f.function_url != null }

  function_name      = aws_lambda_function.this[each.key].function_name
  authorization_type = each.value.auth_type
  invoke_mode        = each.value.invoke_mode != null ? each.value.invoke_mode : "BUFFERED"

  dynamic "cors" {
    for_each = each.value.cors != null ? [each.value.cors] : []
    content {
      allow_origins     = cors.value.allow_origins
      allow_methods     = cors.value.allow_methods
      allow_headers     = cors.value.allow_headers
      expose_headers    = cors.value.expose_headers
      max_age           = cors.value.max_age
      allow_credentials = cors.value.allow_credentials
    }
  }
}
