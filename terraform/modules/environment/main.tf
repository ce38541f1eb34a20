# One environment: IAM roles, functions, their event sources and APIs for the functions of one fnreg snapshot.
# Every environment root is this module with its own provider, backend and exported variables:
# everything environment-specific lives in the configuration repository (environment.json and
# overrides/) and reaches Terraform only through fnreg's export.
locals {
  environment = var.registry_snapshot.environment
  name_prefix = "${local.environment}-"
  tags = {
    ManagedBy        = "terraform"
    RegistryRevision = tostring(var.registry_snapshot.revision)
    RegistrySnapshot = var.registry_snapshot.snapshot_hash
  }
}

module "iam" {
  source = "../iam"

  functions           = var.functions
  additional_policies = var.additional_policies
  events              = var.events
  name_prefix         = local.name_prefix
  tags                = local.tags
}

module "lambda" {
  source = "../lambda"

  functions          = var.functions
  role_arns          = module.iam.role_arns
  artifact_bucket    = var.artifact_bucket
  name_prefix        = local.name_prefix
  log_retention_days = var.log_retention_days
  tags               = local.tags
}

module "api_gateway" {
  source = "../api_gateway"

  functions                      = var.functions
  name                           = "${local.environment}-functions"
  stage_name                     = local.environment
  invoke_arns                    = module.lambda.invoke_arns
  function_names                 = module.lambda.function_names
  function_arns                  = module.lambda.function_arns
  cognito_user_pool_arns         = var.cognito_user_pool_arns
  manage_account_cloudwatch_role = var.manage_account_cloudwatch_role
  log_retention_days             = var.log_retention_days
  tags                           = local.tags
}

module "events" {
  source = "../events"

  functions      = var.functions
  events         = var.events
  function_arns  = module.lambda.function_arns
  function_names = module.lambda.function_names
  name_prefix    = local.name_prefix
  tags           = local.tags
}
