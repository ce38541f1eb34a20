output "function_arns" {
  description = "Lambda function ARN by function name."
  value       = { for name, f in aws_lambda_function.this : name => f.arn }
}

output "invoke_arns" {
  description = "Invoke ARN (for API Gateway integrations) by function name."
  value       = { for name, f in aws_lambda_function.this : name => f.invoke_arn }
}

output "function_names" {
  description = "Deployed function name (with prefix) by function name."
  value       = { for name, f in aws_lambda_function.this : name => f.function_name }
}

output "log_group_names" {
  description = "CloudWatch log group by function name."
  value       = { for name, g in aws_cloudwatch_log_group.this : name => try(g.name, null) }
}

output "code_keys" {
  description = "S3 key of each function's code zip (derived from code_hash)."
  value       = local.code_keys
}

output "function_urls" {
  description = "Function URL by function name (functions with function_url only)."
  value       = { for name, u in aws_lambda_function_url.this : name => u.function_url }
}
