data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  # The REST API (api.type rest, the default) and the HTTP API (api.type http) are separate APIs.
  api_functions  = { for name, f in var.functions : name => f if f.api != null ? f.api.type != "http" : false }
  http_functions = { for name, f in var.functions : name => f if f.api != null ? f.api.type == "http" : false }
  paths          = sort(distinct([for f in values(local.api_functions) : f.api.path]))

  # The security scheme each function's methods require: Cognito user pools (the function's own
  # pool, or the environment's), IAM (SigV4), or a Lambda token authorizer (a function of the
  # registry, or any Lambda function by ARN). Every authorizer is honoured: none is ever dropped.
  scheme = {
    for name, f in local.api_functions : name => (
      f.api.authorizer == null ? null :
      f.api.authorizer == "cognito" ? (f.api.authorizer_arn == null ? "cognito" : "cognito-${substr(sha1(f.api.authorizer_arn), 0, 12)}") :
      f.api.authorizer == "iam" ? "sigv4" :
      f.api.authorizer_function != null ? "lambda-${f.api.authorizer_function}" : "lambda-${substr(sha1(coalesce(f.api.authorizer_arn, "-")), 0, 12)}"
    )
  }
  cognito_pools = {
    for key, arns in {
      for name, f in local.api_functions : local.scheme[name] => (f.api.authorizer_arn == null ? var.cognito_user_pool_arns : [f.api.authorizer_arn])...
      if f.api.authorizer == "cognito"
    } : key => arns[0]
  }
  # Lambda authorizers: scheme -> a function of the registry, or any Lambda function's ARN (the
  # keys are known at plan time; the ARNs of the registry's functions only after apply).
  lambda_targets = {
    for key, targets in {
      for name, f in local.api_functions : local.scheme[name] => { function = f.api.authorizer_function, arn = f.api.authorizer_arn }...
      if f.api.authorizer == "lambda"
    } : key => targets[0]
  }
  known_functions = toset(keys(var.function_arns))
  lambda_authorizers = {
    for key, t in local.lambda_targets : key => (t.function != null ? lookup(var.function_arns, t.function, "missing") : t.arn)
  }
  uses_sigv4 = contains([for name, s in local.scheme : coalesce(s, "none")], "sigv4")
  security_schemes = merge(
    {
      for key, arns in local.cognito_pools : key => {
        type                           = "apiKey"
        name                           = "Authorization"
        in                             = "header"
        "x-amazon-apigateway-authtype" = "cognito_user_pools"
        "x-amazon-apigateway-authorizer" = {
          type         = "cognito_user_pools"
          providerARNs = arns
        }
      }
    },
    local.uses_sigv4 ? {
      sigv4 = {
        type                           = "apiKey"
        name                           = "Authorization"
        in                             = "header"
        "x-amazon-apigateway-authtype" = "awsSigv4"
      }
    } : {},
    {
      for key, arn in local.lambda_authorizers : key => {
        type                           = "apiKey"
        name                           = "Authorization"
        in                             = "header"
        "x-amazon-apigateway-authtype" = "custom"
        "x-amazon-apigateway-authorizer" = {
          type                         = "token"
          authorizerUri                = "arn:${data.aws_partition.current.partition}:apigateway:${data.aws_region.current.name}:lambda:path/2015-03-31/functions/${arn}/invocations"
          authorizerResultTtlInSeconds = 300
        }
      }
    },
  )

  # One OpenAPI operation per (path, method): a Lambda proxy integration, the function's
  # authorizer, request parameters and a request validator.
  operations = {
    for path in local.paths : path => merge([
      for name, f in local.api_functions : {
        for method in f.api.methods : (method == "ANY" ? "x-amazon-apigateway-any-method" : lower(method)) => merge(
          {
            "x-amazon-apigateway-integration" = {
              type                = "aws_proxy"
              httpMethod          = "POST"
              uri                 = var.invoke_arns[name]
              passthroughBehavior = "when_no_match"
            }
            parameters = [
              for key, required in f.api.request_parameters : {
                name     = element(split(".", key), 3)
                in       = replace(replace(element(split(".", key), 2), "querystring", "query"), "multivalue", "")
                required = element(split(".", key), 2) == "path" ? true : required
                schema   = { type = "string" }
              }
            ]
            responses = {}
          },
          local.scheme[name] != null ? { security = [{ (local.scheme[name]) = [] }] } : {},
          f.api.request_validator != null ? {
            "x-amazon-apigateway-request-validator" = "${f.api.request_validator.validate_body ? "body" : "no-body"}-${f.api.request_validator.validate_parameters ? "params" : "no-params"}"
          } : {}
        )
      } if f.api.path == path
    ]...)
  }
  routes = flatten([for name, f in local.api_functions : [for m in f.api.methods : "${m} ${f.api.path}"]])

  # CORS: one OPTIONS operation per path answering the preflight for every function on the path
  # (the union of their origins, headers and methods).
  cors = {
    for path in local.paths : path => [
      for f in values(local.api_functions) : f.api.cors if f.api.path == path && f.api.cors != null
    ]
  }
  preflight = {
    for path, rules in local.cors : path => {
      options = {
        responses = {
          "200" = {
            description = "CORS preflight"
            headers = {
              "Access-Control-Allow-Origin"      = { schema = { type = "string" } }
              "Access-Control-Allow-Methods"     = { schema = { type = "string" } }
              "Access-Control-Allow-Headers"     = { schema = { type = "string" } }
              "Access-Control-Allow-Credentials" = { schema = { type = "string" } }
              "Access-Control-Max-Age"           = { schema = { type = "string" } }
            }
          }
        }
        "x-amazon-apigateway-integration" = {
          type                = "mock"
          requestTemplates    = { "application/json" = "{\"statusCode\": 200}" }
          passthroughBehavior = "when_no_match"
          responses = {
            default = {
              statusCode = "200"
              responseParameters = merge(
                {
                  "method.response.header.Access-Control-Allow-Origin"  = "'${join(",", sort(distinct(flatten([for c in rules : c.allowed_origins]))))}'"
                  "method.response.header.Access-Control-Allow-Methods" = "'${join(",", sort(distinct(flatten([for c in rules : c.allowed_methods]))))}'"
                  "method.response.header.Access-Control-Allow-Headers" = "'${join(",", sort(distinct(flatten([for c in rules : c.allowed_headers]))))}'"
                },
                anytrue([for c in rules : c.allow_credentials]) ? { "method.response.header.Access-Control-Allow-Credentials" = "'true'" } : {},
                length(compact([for c in rules : c.max_age == null ? "" : tostring(c.max_age)])) > 0 ? {
                  "method.response.header.Access-Control-Max-Age" = "'${max([for c in rules : coalesce(c.max_age, 0)]...)}'"
                } : {}
              )
            }
          }
        }
      }
    } if length(rules) > 0
  }

  body = jsonencode({
    openapi    = "3.0.1"
    info       = { title = var.name, version = "1.0" }
    paths      = { for path in local.paths : path => merge(local.operations[path], lookup(local.preflight, path, {})) }
    components = { securitySchemes = local.security_schemes }
    "x-amazon-apigateway-request-validators" = {
      for combination in setproduct(["body", "no-body"], ["params", "no-params"]) : "${combination[0]}-${combination[1]}" => {
        validateRequestBody       = combination[0] == "body"
        validateRequestParameters = combination[1] == "params"
      }
    }
  })
}

resource "aws_api_gateway_rest_api" "this" {
  count = length(local.api_functions) > 0 ? 1 : 0

  name = var.name
  body = local.body
  tags = var.tags

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = length(distinct(local.routes)) == length(local.routes)
      error_message = "Two functions serve the same method on the same path (fnreg validate reports which, with the files)."
    }
    precondition {
      condition     = length(setintersection(toset(local.routes), toset([for path in keys(local.preflight) : "OPTIONS ${path}"]))) == 0
      error_message = "A function serves OPTIONS on a path whose CORS preflight answers OPTIONS (fnreg validate reports which)."
    }
    precondition {
      condition     = !contains(keys(local.cognito_pools), "cognito") || length(var.cognito_user_pool_arns) > 0
      error_message = "Functions use the cognito authorizer without api.authorizer_arn: set cognito_user_pool_arns for this environment, or give each function its user pool in api.authorizer_arn."
    }
    precondition {
      condition     = alltrue([for t in values(local.lambda_targets) : t.function == null ? true : contains(local.known_functions, t.function)])
      error_message = "A lambda authorizer's api.authorizer_function names no function of this environment (fnreg validate reports which)."
    }
  }
}

# Access logging needs the account's API Gateway CloudWatch role (one setting per account and region).
data "aws_iam_policy_document" "api_gateway_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "cloudwatch" {
  count = length(aws_api_gateway_rest_api.this) > 0 && var.manage_account_cloudwatch_role && var.cloudwatch_role_arn == null ? 1 : 0

  name               = "${var.stage_name}${local.limits.api_role_suffix}"
  assume_role_policy = data.aws_iam_policy_document.api_gateway_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "cloudwatch" {
  count = length(aws_iam_role.cloudwatch)

  role       = aws_iam_role.cloudwatch[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  count = length(aws_api_gateway_rest_api.this) > 0 && var.manage_account_cloudwatch_role ? 1 : 0

  cloudwatch_role_arn = var.cloudwatch_role_arn != null ? var.cloudwatch_role_arn : aws_iam_role.cloudwatch[0].arn

  depends_on = [aws_iam_role_policy_attachment.cloudwatch]
}

resource "aws_cloudwatch_log_group" "access" {
  count = length(aws_api_gateway_rest_api.this)

  name              = "/aws/apigateway/${var.name}/access"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_api_gateway_deployment" "this" {
  count = length(aws_api_gateway_rest_api.this)

  rest_api_id = aws_api_gateway_rest_api.this[0].id
  triggers = {
    redeployment = sha1(local.body)
  }

  lifecycle {
    create_before_destroy = true
  }
}

# Execution logging and per-method metrics would need aws_api_gateway_method_settings, which the
# provider advises against managing alongside an OpenAPI body: the stage has access logs and X-Ray.
resource "aws_api_gateway_stage" "this" {
  #checkov:skip=CKV_AWS_120:Responses are per device and change constantly; a stage cache would serve stale device state.
  #checkov:skip=CKV2_AWS_51:Clients are browsers and devices authenticated by the API's authorizers, not by mutual TLS.
  #checkov:skip=CKV2_AWS_29:WAF is attached at the account edge (CloudFront/WAF managed centrally), outside this module.
  #checkov:skip=CKV2_AWS_4:Execution logging needs aws_api_gateway_method_settings, which the provider advises against alongside an OpenAPI body; access logs are on.
  count = length(aws_api_gateway_rest_api.this)

  rest_api_id          = aws_api_gateway_rest_api.this[0].id
  deployment_id        = aws_api_gateway_deployment.this[0].id
  stage_name           = var.stage_name
  xray_tracing_enabled = var.xray_tracing_enabled
  tags                 = var.tags

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access[0].arn
    format = jsonencode({
      requestId = "$context.requestId", ip = "$context.identity.sourceIp", method = "$context.httpMethod",
      path      = "$context.resourcePath", status = "$context.status", latency = "$context.responseLatency"
    })
  }

  depends_on = [aws_api_gateway_account.this]
}

resource "aws_lambda_permission" "this" {
  for_each = local.api_functions

  statement_id  = "AllowAPIGatewayInvoke"
  action        = "lambda:InvokeFunction"
  function_name = var.function_names[each.key]
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this[0].execution_arn}/*/*"
}

# API Gateway calls each Lambda authorizer.
resource "aws_lambda_permission" "authorizer" {
  for_each = { for key, t in local.lambda_targets : key => t if t.function == null ? true : contains(local.known_functions, t.function) }

  statement_id  = "AllowAPIGatewayAuthorizer-${var.stage_name}"
  action        = "lambda:InvokeFunction"
  function_name = local.lambda_authorizers[each.key]
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this[0].execution_arn}/authorizers/*"
}

# The HTTP API (API Gateway v2) of the functions with api.type http: one route per method and path
# (a Lambda proxy integration, payload 2.0), the function's authorizer (IAM, or a Lambda REQUEST
# authorizer), CORS at the API (the union of the functions' rules), a stage with access logs.
locals {
  http_routes = merge([
    for name, f in local.http_functions : { for m in f.api.methods : "${m} ${f.api.path}" => { function = name, authorizer = f.api.authorizer } }
  ]...)
  http_authorizer_key = {
    for name, f in local.http_functions : name => (
      f.api.authorizer_function != null ? "lambda-${f.api.authorizer_function}" : "lambda-${substr(sha1(coalesce(f.api.authorizer_arn, "-")), 0, 12)}"
    ) if f.api.authorizer == "lambda"
  }
  http_authorizers = {
    for key, targets in {
      for name, f in local.http_functions : local.http_authorizer_key[name] => { function = f.api.authorizer_function, arn = f.api.authorizer_arn }...
      if f.api.authorizer == "lambda"
    } : key => targets[0]
  }
  http_cors = [for f in values(local.http_functions) : f.api.cors if f.api.cors != null]
}

resource "aws_apigatewayv2_api" "http" {
  count = length(local.http_functions) > 0 ? 1 : 0

  name          = "${var.name}-http"
  protocol_type = "HTTP"
  tags          = var.tags

  dynamic "cors_configuration" {
    for_each = length(local.http_cors) > 0 ? [1] : []
    content {
      allow_origins     = sort(distinct(flatten([for c in local.http_cors : c.allowed_origins])))
      allow_methods     = sort(distinct(flatten([for c in local.http_cors : c.allowed_methods])))
      allow_headers     = sort(distinct(flatten([for c in local.http_cors : c.allowed_headers])))
      expose_headers    = sort(distinct(flatten([for c in local.http_cors : c.expose_headers])))
      max_age           = max(0, [for c in local.http_cors : coalesce(c.max_age, 0)]...)
      allow_credentials = anytrue([for c in local.http_cors : c.allow_credentials])
    }
  }

  lifecycle {
    precondition {
      condition     = alltrue([for t in values(local.http_authorizers) : t.function == null ? true : contains(local.known_functions, t.function)])
      error_message = "A lambda authorizer's api.authorizer_function names no function of this environment (fnreg validate reports which)."
    }
  }
}

resource "aws_apigatewayv2_integration" "http" {
  for_each = local.http_functions

  api_id                 = aws_apigatewayv2_api.http[0].id
  integration_type       = "AWS_PROXY"
  integration_uri        = var.invoke_arns[each.key]
  integration_method     = "POST"
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_authorizer" "http" {
  for_each = { for key, t in local.http_authorizers : key => t if t.function == null ? true : contains(local.known_functions, t.function) }

  api_id                            = aws_apigatewayv2_api.http[0].id
  name                              = each.key
  authorizer_type                   = "REQUEST"
  authorizer_uri                    = "arn:${data.aws_partition.current.partition}:apigateway:${data.aws_region.current.name}:lambda:path/2015-03-31/functions/${each.value.function != null ? var.function_arns[each.value.function] : each.value.arn}/invocations"
  authorizer_payload_format_version = "2.0"
  enable_simple_responses           = true
  identity_sources                  = ["$request.header.Authorization"]
}

resource "aws_apigatewayv2_route" "http" {
  #checkov:skip=CKV_AWS_309:Each route's authorization is its function's api.authorizer; a function without one is open on purpose.
  for_each = local.http_routes

  api_id             = aws_apigatewayv2_api.http[0].id
  route_key          = each.key
  target             = "integrations/${aws_apigatewayv2_integration.http[each.value.function].id}"
  authorization_type = each.value.authorizer == "iam" ? "AWS_IAM" : each.value.authorizer == "lambda" ? "CUSTOM" : "NONE"
  authorizer_id      = each.value.authorizer == "lambda" ? aws_apigatewayv2_authorizer.http[local.http_authorizer_key[each.value.function]].id : null
}

resource "aws_cloudwatch_log_group" "http_access" {
  count = length(aws_apigatewayv2_api.http)

  name              = "/aws/apigateway/${var.name}-http/access"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_apigatewayv2_stage" "http" {
  count = length(aws_apigatewayv2_api.http)

  api_id      = aws_apigatewayv2_api.http[0].id
  name        = var.stage_name
  auto_deploy = true
  tags        = var.tags

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.http_access[0].arn
    format = jsonencode({
      requestId = "$context.requestId", ip = "$context.identity.sourceIp", method = "$context.httpMethod",
      path      = "$context.path", status = "$context.status", latency = "$context.responseLatency"
    })
  }
}

resource "aws_lambda_permission" "http" {
  for_each = local.http_functions

  statement_id  = "AllowHTTPAPIInvoke"
  action        = "lambda:InvokeFunction"
  function_name = var.function_names[each.key]
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.http[0].execution_arn}/*/*"
}

resource "aws_lambda_permission" "http_authorizer" {
  for_each = { for key, t in local.http_authorizers : key => t if t.function == null ? true : contains(local.known_functions, t.function) }

  statement_id  = "AllowHTTPAPIAuthorizer-${var.stage_name}"
  action        = "lambda:InvokeFunction"
  function_name = each.value.function != null ? var.function_arns[each.value.function] : each.value.arn
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.http[0].execution_arn}/authorizers/*"
}
