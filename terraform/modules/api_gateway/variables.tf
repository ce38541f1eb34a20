variable "functions" {
  description = "Effective configurations by function name (functions without `api` are ignored)."
  type = map(object({
    name = string
    api = optional(object({
      path       = string
      methods    = list(string)
      authorizer = optional(string)
      cors = optional(object({
        allowed_origins   = optional(list(string), ["*"])
        allowed_headers   = optional(list(string), [])
        allowed_methods   = optional(list(string), [])
        expose_headers    = optional(list(string), [])
        max_age           = optional(number)
        allow_credentials = optional(bool, false)
      }))
      request_parameters = optional(map(bool), {})
      request_validator = optional(object({
        validate_body       = optional(bool, false)
        validate_parameters = optional(bool, false)
      }))
    }))
  }))

  validation {
    condition = alltrue([
      for f in values(var.functions) : f.api == null || can(regex("^/", f.api.path))
    ])
    error_message = "Every api.path must begin with '/'."
  }
  validation {
    condition = alltrue(flatten([
      for f in values(var.functions) : f.api == null ? [true] : [
        for m in f.api.methods : contains(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"], m)
      ]
    ]))
    error_message = "api.methods must be HTTP verbs (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS) or ANY."
  }
}

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

variable "cognito_user_pool_arns" {
  description = "User pools behind the `cognito` authorizer (required when a function uses it)."
  type        = list(string)
  default     = []
}

variable "xray_tracing_enabled" {
  description = "X-Ray tracing on the stage."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of the stage's access log group."
  type        = number
  default     = 365
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
