output "function_arns" {
  description = "Lambda function ARN by function name."
  value       = module.lambda.function_arns
}

output "api_invoke_url" {
  description = "The API's invoke URL."
  value       = module.api_gateway.invoke_url
}
