# `functions` and `events` are declared in functions.tf (generated from schemas/lambda-limits.json).

variable "function_arns" {
  description = "Lambda function ARN by function name (the lambda module's `function_arns`)."
  type        = map(string)
}

variable "function_names" {
  description = "Deployed Lambda function name by function name (the lambda module's `function_names`)."
  type        = map(string)
}

variable "name_prefix" {
  description = "Prefix of every rule name, e.g. \"prod-\"."
  type        = string
  default     = ""
}

variable "tags" {
  description = "Tags added to every resource that takes them."
  type        = map(string)
  default     = {}
}
