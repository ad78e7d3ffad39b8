output "deploy_role_arn" {
  description = "ARN of the role GitHub Actions assumes to deploy the serverless stack (aws-actions/configure-aws-credentials role-to-assume)."
  value       = aws_iam_role.this.arn
}

output "oidc_provider_arn" {
  description = "ARN of the GitHub OIDC provider used by the deploy role."
  value       = local.oidc_provider_arn
}

output "security_log_bucket_name" {
  description = "Bucket receiving CloudTrail and Config deliveries; null when neither is enabled."
  value       = local.security_bucket_enabled ? module.security_logs[0].name : null
}
