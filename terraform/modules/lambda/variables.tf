# `functions` and `log_retention_days` are declared in functions.tf (generated from
# schemas/lambda-limits.json).

variable "role_arns" {
  description = "IAM role ARN by function name (the iam module's `role_arns` output)."
  type        = map(string)
}

variable "artifact_bucket" {
  description = "S3 bucket holding code zips at <function name>/<code hash>.zip (scripts/deploy_lambda.sh uploads them)."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of every Lambda function name, e.g. \"prod-\", so environments can share an account."
  type        = string
  default     = ""
}

variable "kms_key_arn" {
  description = "KMS key encrypting log groups and environment variables (null: AWS managed keys)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to every resource (function tags win on conflicts)."
  type        = map(string)
  default     = {}
}
