variable "functions" {
  description = "Effective configurations by function name, as `fnreg export terraform` writes them (variable `functions`)."
  type = map(object({
    name                  = string
    description           = string
    runtime               = string
    handler               = string
    timeout               = optional(number, 3)
    memory_size           = optional(number, 128)
    layers                = optional(list(string), [])
    environment_variables = optional(map(string), {})
    vpc_config = optional(object({
      subnet_ids         = list(string)
      security_group_ids = list(string)
      assign_public_ip   = optional(bool)
    }))
    dead_letter_config = optional(object({
      target_arn        = string
      max_receive_count = optional(number)
    }))
    tracing_config = optional(object({
      mode = string
    }), { mode = "PassThrough" })
    tags      = optional(map(string), {})
    code_hash = string
  }))

  validation {
    condition     = alltrue([for f in values(var.functions) : f.timeout >= 1 && f.timeout <= 900])
    error_message = "Every function's timeout must be between 1 and 900 seconds (Lambda's limit)."
  }
  validation {
    condition     = alltrue([for f in values(var.functions) : f.memory_size >= 128 && f.memory_size <= 10240])
    error_message = "Every function's memory_size must be between 128 and 10240 MB (Lambda's limit)."
  }
  validation {
    condition     = alltrue([for f in values(var.functions) : length(f.layers) <= 5])
    error_message = "A function can use at most 5 layers."
  }
  validation {
    condition     = alltrue([for f in values(var.functions) : contains(["Active", "PassThrough"], f.tracing_config.mode)])
    error_message = "tracing_config.mode must be Active or PassThrough."
  }
  validation {
    condition     = alltrue([for f in values(var.functions) : can(regex("^sha256:[0-9a-f]{64}$", f.code_hash))])
    error_message = "Every function needs the code_hash fnreg exports (sha256:<64 hex digits>)."
  }
}

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

variable "log_retention_days" {
  description = "Retention of each function's CloudWatch log group."
  type        = number
  default     = 365
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
