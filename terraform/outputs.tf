output "ssm_parameter_names" {
  description = "Names of the SSM parameters serverless.yml reads."
  value       = concat([for p in aws_ssm_parameter.string : p.name], [aws_ssm_parameter.private_subnet_ids.name])
}

output "deploy_role_arn" {
  description = "Role the GitHub Actions deploy job assumes (role-to-assume)."
  value       = module.ci.deploy_role_arn
}

output "proxy_endpoint" {
  description = "RDS Proxy endpoint the functions connect to."
  value       = module.database.proxy_endpoint
}

output "domain_name" {
  description = "Custom domain of the API."
  value       = module.edge.domain_name
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the stage."
  value       = module.observability.dashboard_name
}

output "alarm_topic_arn" {
  description = "SNS topic of the stage's alarms."
  value       = module.observability.alarm_topic_arn
}
