output "role_arns" {
  description = "IAM role ARN by function name."
  value       = { for name, r in aws_iam_role.this : name => r.arn }
}

output "role_names" {
  description = "IAM role name by function name."
  value       = { for name, r in aws_iam_role.this : name => r.name }
}

output "additional_policy_documents" {
  description = "The normalised additional_policies document by function name (sorted, order-insensitive)."
  value       = { for name, p in aws_iam_role_policy.additional : name => try(p.policy, null) }
}
