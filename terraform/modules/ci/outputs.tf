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

output "code_signing_config_arn" {
  description = "Lambda code signing configuration every function of the stack uses (SSM signing/code_signing_config_arn)."
  value       = aws_lambda_code_signing_config.this.arn
}

output "signing_profile_name" {
  description = "AWS Signer profile the pipeline signs dist/bootstrap.zip with (SSM signing/profile_name)."
  value       = aws_signer_signing_profile.lambda.name
}

output "artifact_bucket_name" {
  description = "Bucket of the unsigned and signed packages (SSM signing/artifact_bucket)."
  value       = module.artifacts.name
}
