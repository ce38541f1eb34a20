output "event_source_mappings" {
  description = "Event source mapping UUID by \"<function>/<type>-<identity hash>\" (queues and streams)."
  value       = { for key, m in aws_lambda_event_source_mapping.this : key => m.uuid }
}

output "rule_arns" {
  description = "EventBridge rule ARN by \"<function>/<type>-<identity hash>\" (schedules and patterns)."
  value       = { for key, r in aws_cloudwatch_event_rule.this : key => r.arn }
}
