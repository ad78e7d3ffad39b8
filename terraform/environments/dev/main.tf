# The stage composition: the whole estate from the root module, fed from terraform.tfvars.
# Shared by every stage (environments/prod/main.tf links here).

module "orders" {
  source = "../.."

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  stage                               = var.stage
  extra_tags                          = var.extra_tags
  vpc_cidr                            = var.vpc_cidr
  azs                                 = var.azs
  private_subnet_cidrs                = var.private_subnet_cidrs
  database_subnet_cidrs               = var.database_subnet_cidrs
  db_engine_version                   = var.db_engine_version
  db_min_capacity                     = var.db_min_capacity
  db_max_capacity                     = var.db_max_capacity
  db_backup_retention_days            = var.db_backup_retention_days
  db_deletion_protection_enabled      = var.db_deletion_protection_enabled
  db_migrator_user                    = var.db_migrator_user
  db_app_users                        = var.db_app_users
  api_timeout_seconds                 = var.api_timeout_seconds
  worker_timeout_seconds              = var.worker_timeout_seconds
  proxy_borrow_timeout_seconds        = var.proxy_borrow_timeout_seconds
  archive_glacier_transition_days     = var.archive_glacier_transition_days
  archive_expiration_days             = var.archive_expiration_days
  domain_name                         = var.domain_name
  hosted_zone_create_enabled          = var.hosted_zone_create_enabled
  hosted_zone_name                    = var.hosted_zone_name
  hosted_zone_id                      = var.hosted_zone_id
  dns_query_logging_enabled           = var.dns_query_logging_enabled
  api_gateway_account_enabled         = var.api_gateway_account_enabled
  waf_rate_limit_per_5_minutes        = var.waf_rate_limit_per_5_minutes
  log_retention_days                  = var.log_retention_days
  flow_log_retention_days             = var.flow_log_retention_days
  alarm_emails                        = var.alarm_emails
  outbox_age_alarm_minutes            = var.outbox_age_alarm_minutes
  github_repository                   = var.github_repository
  github_environment                  = var.github_environment
  github_branch                       = var.github_branch
  github_oidc_provider_create_enabled = var.github_oidc_provider_create_enabled
  github_oidc_provider_arn            = var.github_oidc_provider_arn
  cloudtrail_enabled                  = var.cloudtrail_enabled
  guardduty_enabled                   = var.guardduty_enabled
  securityhub_enabled                 = var.securityhub_enabled
  config_enabled                      = var.config_enabled
}

output "ssm_parameter_names" {
  description = "Names of the SSM parameters serverless.yml reads."
  value       = module.orders.ssm_parameter_names
}

output "deploy_role_arn" {
  description = "Role the GitHub Actions deploy job assumes."
  value       = module.orders.deploy_role_arn
}

output "domain_name" {
  description = "Custom domain of the API."
  value       = module.orders.domain_name
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the stage."
  value       = module.orders.dashboard_name
}
