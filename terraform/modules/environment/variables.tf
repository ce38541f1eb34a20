# `functions` and `log_retention_days` are declared in functions.tf (generated from
# schemas/lambda-limits.json).

variable "registry_snapshot" {
  description = "Which fnreg snapshot the functions come from (environment, revision, commit, snapshot_hash)."
  type = object({
    environment   = string
    revision      = number
    commit        = string
    snapshot_hash = string
    restores      = optional(number)
  })
}

variable "artifact_bucket" {
  description = "S3 bucket of code archives (<function>/<code hash>.zip)."
  type        = string
}

variable "cognito_user_pool_arns" {
  description = "User pools behind the cognito authorizer."
  type        = list(string)
  default     = []
}

variable "manage_account_cloudwatch_role" {
  description = "Set the account's API Gateway CloudWatch role, which access logging needs (one setting per account and region)."
  type        = bool
  default     = true
}
