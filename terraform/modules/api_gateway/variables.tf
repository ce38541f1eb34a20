# `functions` and `log_retention_days` are declared in functions.tf (generated from
# schemas/lambda-limits.json).

variable "name" {
  description = "The REST API's name (one API per environment)."
  type        = string
}

variable "stage_name" {
  description = "The stage the deployment is published to."
  type        = string
}

variable "invoke_arns" {
  description = "Lambda invoke ARN by function name (the lambda module's `invoke_arns`)."
  type        = map(string)
}

variable "function_names" {
  description = "Deployed Lambda function name by function name (the lambda module's `function_names`)."
  type        = map(string)
}

variable "function_arns" {
  description = "Lambda function ARN by function name (the lambda module's `function_arns`): the targets of `api.authorizer_function`."
  type        = map(string)
}

variable "cognito_user_pool_arns" {
  description = "User pools behind the `cognito` authorizer for functions that do not name their own in `api.authorizer_arn` (required when one does not)."
  type        = list(string)
  default     = []
}

variable "manage_account_cloudwatch_role" {
  description = "Set the account's API Gateway CloudWatch role (aws_api_gateway_account), which access logging needs. One setting per account and region: turn it off where another stack manages it."
  type        = bool
  default     = true
}

variable "cloudwatch_role_arn" {
  description = "An existing role for aws_api_gateway_account (null: this module creates <stage>-apigateway-logs)."
  type        = string
  default     = null
}

variable "xray_tracing_enabled" {
  description = "X-Ray tracing on the stage."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "KMS key encrypting the access log group (null: AWS managed key)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags on the API and its stage."
  type        = map(string)
  default     = {}
}
