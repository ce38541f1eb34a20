# terraform test (mocked provider, offline): functions with api.type "http" are routes of the
# environment's HTTP API, beside (never inside) the REST API, with their authorizers and CORS.
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
  mock_resource "aws_apigatewayv2_api" {
    defaults = { id = "http123", execution_arn = "arn:aws:execute-api:us-east-1:123456789012:http123", api_endpoint = "https://http123.execute-api.us-east-1.amazonaws.com" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/test-apigateway-logs" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/test/access" }
  }
}

variables {
  name           = "test-functions"
  stage_name     = "test"
  invoke_arns    = { rest = "arn:rest", signed = "arn:signed", guarded = "arn:guarded", auth = "arn:auth" }
  function_names = { rest = "test-rest", signed = "test-signed", guarded = "test-guarded", auth = "test-auth" }
  function_arns  = { auth = "arn:aws:lambda:us-east-1:123456789012:function:test-auth" }
  functions = {
    rest = { name = "rest", description = "d", runtime = "python3.13", handler = "a.b", code_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000",
    api = { path = "/items", methods = ["GET"] } }
    signed = { name = "signed", description = "d", runtime = "python3.13", handler = "a.b", code_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000",
    api = { path = "/items", methods = ["GET", "POST"], type = "http", authorizer = "iam", cors = { allowed_origins = ["https://a.example.com"], allowed_methods = ["GET", "POST"] } } }
    guarded = { name = "guarded", description = "d", runtime = "python3.13", handler = "a.b", code_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000",
    api = { path = "/items/{id}", methods = ["ANY"], type = "http", authorizer = "lambda", authorizer_function = "auth", cors = { allowed_origins = ["https://b.example.com"], max_age = 300 } } }
    auth = { name = "auth", description = "d", runtime = "python3.13", handler = "a.b", code_hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000" }
  }
}

run "http_routes_beside_the_rest_api" {
  command = plan
  assert {
    condition     = length(aws_apigatewayv2_api.http) == 1 && length(aws_apigatewayv2_route.http) == 3 && length(aws_apigatewayv2_integration.http) == 2
    error_message = "one HTTP API, a route per method, an integration per function"
  }
  assert {
    condition     = aws_apigatewayv2_route.http["GET /items"].authorization_type == "AWS_IAM" && aws_apigatewayv2_route.http["ANY /items/{id}"].authorization_type == "CUSTOM"
    error_message = "iam is AWS_IAM, lambda a REQUEST authorizer"
  }
  assert {
    condition     = length(aws_apigatewayv2_authorizer.http) == 1 && one(values(aws_apigatewayv2_authorizer.http)).authorizer_type == "REQUEST"
    error_message = "the lambda authorizer is created once"
  }
  assert {
    condition     = !strcontains(aws_api_gateway_rest_api.this[0].body, "/items/{id}") && strcontains(aws_api_gateway_rest_api.this[0].body, "/items")
    error_message = "HTTP routes stay out of the REST API's body"
  }
  assert {
    condition     = toset(one(aws_apigatewayv2_api.http[0].cors_configuration).allow_origins) == toset(["https://a.example.com", "https://b.example.com"])
    error_message = "the HTTP API's CORS is the union of its routes'"
  }
}
