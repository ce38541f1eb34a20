output "rest_api_id" {
  description = "The REST API's id (null when no function has an api)."
  value       = try(aws_api_gateway_rest_api.this[0].id, null)
}

output "invoke_url" {
  description = "The stage's invoke URL."
  value       = try(aws_api_gateway_stage.this[0].invoke_url, null)
}

output "openapi_body" {
  description = "The generated OpenAPI definition."
  value       = local.body
}

output "http_api_endpoint" {
  description = "The HTTP API's endpoint (functions with api.type http), null without one."
  value       = try(aws_apigatewayv2_stage.http[0].invoke_url, null)
}
