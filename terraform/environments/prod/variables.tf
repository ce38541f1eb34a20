variable "functions" {
  description = "Effective configurations by function name; written by `fnreg export terraform` into functions.auto.tfvars.json. Typed by the modules (functions.tf); `any` here only because IAM statements differ in shape."
  type        = any
}

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

variable "region" {
  description = "AWS region."
  type        = string
  default     = "us-east-1"
}

variable "artifact_bucket" {
  description = "S3 bucket of code archives (<function>/<code hash>.zip)."
  type        = string
  default     = "example-lambda-artifacts"
}

variable "cognito_user_pool_arns" {
  description = "User pools behind the cognito authorizer (for functions that do not name their own in api.authorizer_arn)."
  type        = list(string)
  default     = ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_prodPool1"]
}

variable "log_retention_days" {
  description = "Retention of the functions' and the API's CloudWatch log groups, in days (one of CloudWatch's periods)."
  type        = number
  default     = 365
}
