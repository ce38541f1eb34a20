# `functions` is declared in functions.tf (generated from schemas/lambda-limits.json).

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
