variable "functions" {
  description = "Effective configurations by function name, as `fnreg export terraform` writes them."
  type = map(object({
    name = string
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
    tags = optional(map(string), {})
  }))
}

variable "additional_policies" {
  description = "Each function's additional_policies as JSON (jsonencode of the list): IAM lets Action and Resource be a string or a list, which Terraform's type system cannot hold in one map."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for doc in values(var.additional_policies) : can(tolist(jsondecode(doc)))])
    error_message = "Each additional_policies value must be a JSON array of IAM statements."
  }
}

variable "name_prefix" {
  description = "Prefix of every role name, e.g. \"prod-\"."
  type        = string
  default     = ""
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary for every role (null: none)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to every role."
  type        = map(string)
  default     = {}
}
