# The environment's root: provider, backend (backend.tf) and fnreg's export
# (functions.auto.tfvars.json); what is deployed is terraform/modules/environment, the same in every
# environment.
provider "aws" {
  region = var.region
}

module "environment" {
  source = "../../modules/environment"

  functions = var.functions
  # IAM statements as JSON text: Action and Resource may be a string or a list, and statements
  # differ in shape, which no Terraform type holds.
  additional_policies = { for name, f in var.functions : name => jsonencode(f.additional_policies) if try(f.additional_policies, null) != null }
  # Event sources as JSON text too: an EventBridge pattern is any JSON.
  events                 = { for name, f in var.functions : name => jsonencode(f.events) if try(f.events, null) != null }
  registry_snapshot      = var.registry_snapshot
  artifact_bucket        = var.artifact_bucket
  cognito_user_pool_arns = var.cognito_user_pool_arns
  log_retention_days     = var.log_retention_days
}

output "function_arns" {
  description = "Lambda function ARN by function name."
  value       = module.environment.function_arns
}

output "api_invoke_url" {
  description = "The API's invoke URL."
  value       = module.environment.api_invoke_url
}

output "function_urls" {
  description = "Function URL by function name (functions with function_url)."
  value       = module.environment.function_urls
}
