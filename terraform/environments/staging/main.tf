# Everything environment-specific lives in the configuration repository (environment.json and
# overrides/), reaches this root module through fnreg's export, and is the same code in every environment.
locals {
  environment = var.registry_snapshot.environment
  name_prefix = "${local.environment}-"
  tags = {
    ManagedBy        = "terraform"
    RegistryRevision = tostring(var.registry_snapshot.revision)
    RegistrySnapshot = var.registry_snapshot.snapshot_hash
  }
}

provider "aws" {
  region = var.region
}

module "iam" {
  source = "../../modules/iam"

  functions           = var.functions
  additional_policies = { for name, f in var.functions : name => jsonencode(try(f.additional_policies, [])) }
  name_prefix         = local.name_prefix
  tags                = local.tags
}

module "lambda" {
  source = "../../modules/lambda"

  functions       = var.functions
  role_arns       = module.iam.role_arns
  artifact_bucket = var.artifact_bucket
  name_prefix     = local.name_prefix
  tags            = local.tags
}

module "api_gateway" {
  source = "../../modules/api_gateway"

  functions              = var.functions
  name                   = "${local.environment}-functions"
  stage_name             = local.environment
  invoke_arns            = module.lambda.invoke_arns
  function_names         = module.lambda.function_names
  cognito_user_pool_arns = var.cognito_user_pool_arns
  tags                   = local.tags
}

output "function_arns" {
  description = "Lambda function ARN by function name."
  value       = module.lambda.function_arns
}

output "api_invoke_url" {
  description = "The API's invoke URL."
  value       = module.api_gateway.invoke_url
}
