output "function_arns" {
  description = "Lambda function ARN by function name."
  value       = module.lambda.function_arns
}

output "api_invoke_url" {
  description = "The API's invoke URL."
  value       = module.api_gateway.invoke_url
}

output "function_urls" {
  description = "Function URL by function name (functions with function_url)."
  value       = module.lambda.function_urls
}

output "http_api_endpoint" {
  description = "The HTTP API's endpoint (functions with api.type http), null without one."
  value       = module.api_gateway.http_api_endpoint
}
