output "alarm_topic_arn" {
  description = "ARN of the SNS topic every alarm notifies."
  value       = aws_sns_topic.this.arn
}

output "lambda_key_arn" {
  description = "KMS key for the functions' environment variables and log groups."
  value       = module.lambda_key.key_arn
}

output "function_log_group_names" {
  description = "Log groups of the functions by short name (/aws/lambda/<name>-<fn>)."
  value       = { for k, g in aws_cloudwatch_log_group.function : k => g.name }
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}
