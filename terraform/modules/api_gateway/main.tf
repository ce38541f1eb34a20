locals {
  api_functions = { for name, f in var.functions : name => f if f.api != null }
  paths         = distinct([for f in values(local.api_functions) : f.api.path])

  # One OpenAPI operation per (path, method): a Lambda proxy integration, the Cognito authorizer when
  # asked, request parameters and a request validator.
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
          f.api.authorizer == "cognito" ? { security = [{ cognito = [] }] } : {},
          f.api.request_validator != null ? {
            "x-amazon-apigateway-request-validator" = "${f.api.request_validator.validate_body ? "body" : "no-body"}-${f.api.request_validator.validate_parameters ? "params" : "no-params"}"
          } : {}
        )
      } if f.api.path == path
    ]...)
  }

  # CORS: an OPTIONS operation answering the preflight with the configured headers.
  cors = {
    for path in local.paths : path => one([
      for f in values(local.api_functions) : f.api.cors if f.api.path == path && f.api.cors != null
    ])
  }
  preflight = {
    for path, cors in local.cors : path => {
      options = {
        responses = {
          "200" = {
            description = "CORS preflight"
            headers = {
              "Access-Control-Allow-Origin"  = { schema = { type = "string" } }
              "Access-Control-Allow-Methods" = { schema = { type = "string" } }
              "Access-Control-Allow-Headers" = { schema = { type = "string" } }
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
              responseParameters = {
                "method.response.header.Access-Control-Allow-Origin"  = "'${join(",", cors.allowed_origins)}'"
                "method.response.header.Access-Control-Allow-Methods" = "'${join(",", cors.allowed_methods)}'"
                "method.response.header.Access-Control-Allow-Headers" = "'${join(",", cors.allowed_headers)}'"
              }
            }
          }
        }
      }
    } if cors != null
  }

  body = jsonencode({
    openapi = "3.0.1"
    info    = { title = var.name, version = "1.0" }
    paths   = { for path in local.paths : path => merge(local.operations[path], lookup(local.preflight, path, {})) }
    components = {
      securitySchemes = length(var.cognito_user_pool_arns) > 0 ? {
        cognito = {
          type                           = "apiKey"
          name                           = "Authorization"
          in                             = "header"
          "x-amazon-apigateway-authtype" = "cognito_user_pools"
          "x-amazon-apigateway-authorizer" = {
            type         = "cognito_user_pools"
            providerARNs = var.cognito_user_pool_arns
          }
        }
      } : {}
    }
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
  }
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

resource "aws_api_gateway_stage" "this" {
  #checkov:skip=CKV_AWS_120:Responses are per device and change constantly; a stage cache would serve stale device state.
  #checkov:skip=CKV2_AWS_51:Clients are browsers and devices authenticated by the Cognito authorizer, not by mutual TLS.
  #checkov:skip=CKV2_AWS_29:WAF is attached at the account edge (CloudFront/WAF managed centrally), outside this module.
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
}

resource "aws_api_gateway_method_settings" "this" {
  #checkov:skip=CKV_AWS_225:Responses are per device and change constantly; caching would serve stale device state.
  count = length(aws_api_gateway_stage.this)

  rest_api_id = aws_api_gateway_rest_api.this[0].id
  stage_name  = aws_api_gateway_stage.this[0].stage_name
  method_path = "*/*"

  settings {
    metrics_enabled = true
    logging_level   = "INFO"
  }
}

resource "aws_lambda_permission" "this" {
  for_each = local.api_functions

  statement_id  = "AllowAPIGatewayInvoke"
  action        = "lambda:InvokeFunction"
  function_name = var.function_names[each.key]
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this[0].execution_arn}/*/*"
}
