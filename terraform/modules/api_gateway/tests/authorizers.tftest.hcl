# terraform test (with a mocked provider, offline): every authorizer is honoured in the OpenAPI body,
# CORS of several functions on one path is merged, and what cannot be deployed is refused.
mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{}" }
  }
  mock_resource "aws_api_gateway_rest_api" {
    defaults = { id = "abc123", execution_arn = "arn:aws:execute-api:us-east-1:123456789012:abc123" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/test-apigateway-logs" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/test-functions/access" }
  }
}

variables {
  name                   = "test-functions"
  stage_name             = "test"
  cognito_user_pool_arns = ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Env"]
  invoke_arns            = { open = "arn:open", pool = "arn:pool", own = "arn:own", iam = "arn:iam", fn = "arn:fn", ext = "arn:ext", auth = "arn:auth" }
  function_names         = { open = "test-open", pool = "test-pool", own = "test-own", iam = "test-iam", fn = "test-fn", ext = "test-ext", auth = "test-auth" }
  function_arns          = { open = "arn:aws:lambda:us-east-1:123456789012:function:test-open", auth = "arn:aws:lambda:us-east-1:123456789012:function:test-auth" }
  functions = {
    open = { name = "open", description = "d", runtime = "python3.13", handler = "a.b", code_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000",
    api = { path = "/items", methods = ["GET"], cors = { allowed_origins = ["https://a.example.com"], allowed_methods = ["GET"], max_age = 60 } } }
    pool = { name = "pool", description = "d", runtime = "python3.13", handler = "a.b", code_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000",
    api = { path = "/items", methods = ["POST"], authorizer = "cognito", cors = { allowed_origins = ["https://b.example.com"], allowed_methods = ["POST"], allow_credentials = true, max_age = 600 } } }
    own = { name = "own", description = "d", runtime = "python3.13", handler = "a.b", code_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000",
    api = { path = "/own", methods = ["GET"], authorizer = "cognito", authorizer_arn = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Own" } }
    iam = { name = "iam", description = "d", runtime = "python3.13", handler = "a.b", code_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000",
    api = { path = "/iam", methods = ["ANY"], authorizer = "iam" } }
    fn = { name = "fn", description = "d", runtime = "python3.13", handler = "a.b", code_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000",
    api = { path = "/fn/{id}", methods = ["GET"], authorizer = "lambda", authorizer_function = "auth" } }
    ext = { name = "ext", description = "d", runtime = "python3.13", handler = "a.b", code_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000",
    api = { path = "/ext", methods = ["GET"], authorizer = "lambda", authorizer_arn = "arn:aws:lambda:us-east-1:123456789012:function:shared" } }
    auth = { name = "auth", description = "d", runtime = "python3.13", handler = "a.b", code_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000" }
  }
}

run "every_authorizer_is_honoured" {
  command = apply

  assert {
    condition     = toset(keys(jsondecode(output.openapi_body).components.securitySchemes)) == toset(["cognito", "cognito-${substr(sha1("arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Own"), 0, 12)}", "sigv4", "lambda-auth", "lambda-${substr(sha1("arn:aws:lambda:us-east-1:123456789012:function:shared"), 0, 12)}"])
    error_message = "one security scheme per authorizer"
  }
  assert {
    condition     = !can(jsondecode(output.openapi_body).paths["/items"].get.security)
    error_message = "an open method has no security"
  }
  assert {
    condition     = keys(jsondecode(output.openapi_body).paths["/items"].post.security[0]) == ["cognito"]
    error_message = "the cognito method requires the environment's pools"
  }
  assert {
    condition     = jsondecode(output.openapi_body).components.securitySchemes.cognito["x-amazon-apigateway-authorizer"].providerARNs == ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Env"]
    error_message = "the environment's pools"
  }
  assert {
    condition     = keys(jsondecode(output.openapi_body).paths["/iam"]["x-amazon-apigateway-any-method"].security[0]) == ["sigv4"]
    error_message = "the iam method requires SigV4"
  }
  assert {
    condition     = jsondecode(output.openapi_body).components.securitySchemes["lambda-auth"]["x-amazon-apigateway-authorizer"].authorizerUri == "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:test-auth/invocations"
    error_message = "the lambda authorizer calls the registry's function"
  }
  assert {
    condition     = length(aws_lambda_permission.authorizer) == 2
    error_message = "API Gateway may call both Lambda authorizers"
  }
  assert {
    condition     = jsondecode(output.openapi_body).paths["/items"].options["x-amazon-apigateway-integration"].responses.default.responseParameters["method.response.header.Access-Control-Allow-Methods"] == "'GET,POST'"
    error_message = "the preflight of a path allows every function's methods"
  }
  assert {
    condition     = jsondecode(output.openapi_body).paths["/items"].options["x-amazon-apigateway-integration"].responses.default.responseParameters["method.response.header.Access-Control-Max-Age"] == "'600'"
    error_message = "the longest max_age"
  }
  assert {
    condition     = length(aws_api_gateway_account.this) == 1
    error_message = "access logging gets the account's CloudWatch role"
  }
}

run "cognito_needs_a_pool" {
  command = plan
  variables {
    cognito_user_pool_arns = []
  }
  expect_failures = [aws_api_gateway_rest_api.this]
}

run "unknown_authorizer_is_refused" {
  command = plan
  variables {
    functions = {
      open = { name = "open", description = "d", runtime = "python3.13", handler = "a.b", code_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000",
      api = { path = "/items", methods = ["GET"], authorizer = "oauth" } }
    }
  }
  expect_failures = [var.functions]
}

run "two_functions_on_one_route_are_refused" {
  command = plan
  variables {
    functions = {
      a = { name = "a", description = "d", runtime = "python3.13", handler = "a.b", code_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000",
      api = { path = "/items", methods = ["GET"] } }
      b = { name = "b", description = "d", runtime = "python3.13", handler = "a.b", code_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000",
      api = { path = "/items", methods = ["GET"] } }
    }
    invoke_arns    = { a = "arn:a", b = "arn:b" }
    function_names = { a = "test-a", b = "test-b" }
    function_arns  = {}
  }
  expect_failures = [aws_api_gateway_rest_api.this]
}

run "log_retention_is_one_of_cloudwatchs" {
  command = plan
  variables {
    log_retention_days = 366
  }
  expect_failures = [var.log_retention_days]
}
