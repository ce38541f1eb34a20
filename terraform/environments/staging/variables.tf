variable "functions" {
  description = "Effective configurations by function name; written by `fnreg export terraform` into functions.auto.tfvars.json."
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
  description = "User pools behind the cognito authorizer."
  type        = list(string)
  default     = []
}
