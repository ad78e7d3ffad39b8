# The estate of one stage of the Orders service. environments/<stage> calls this module with the
# backend, the providers and the stage's values; serverless.yml deploys the functions into it and
# reads what it needs from the SSM parameters written in ssm.tf.

locals {
  service = "orders"
  name    = "${local.service}-${var.stage}"
  # The functions' METRICS_NAMESPACE (serverless.yml); their SERVICE_NAME is local.service.
  metrics_namespace = "Orders"

  # The one place tags are defined; every module merges them into what it creates.
  tags = merge(var.extra_tags, {
    Service    = local.service
    Stage      = var.stage
    ManagedBy  = "terraform"
    Repository = var.github_repository
  })

  # Names the serverless stack gives what Terraform watches (serverless.yml sets
  # provider.apiName to orders-<stage>; functions are <service>-<stage>-<fn>).
  api_name = local.name

  # p99 thresholds page well before a timeout: api at 3 s (a user waits), worker at 10 s (a batch
  # of 10 orders), cleanup and migrate at 4 of their 5 minutes.
  functions = {
    api     = { timeout_seconds = var.api_timeout_seconds, duration_p99_alarm_ms = 3000 }
    worker  = { timeout_seconds = var.worker_timeout_seconds, duration_p99_alarm_ms = 10000 }
    cleanup = { timeout_seconds = 300, duration_p99_alarm_ms = 240000 }
    migrate = { timeout_seconds = 300, duration_p99_alarm_ms = 240000 }
    # CodeDeploy's pre-traffic hook of the api (serverless.yml): its log group and alarms.
    predeploy = { timeout_seconds = 45, duration_p99_alarm_ms = 40000 }
  }
}

module "network" {
  source = "./modules/network"

  name                    = local.name
  cidr                    = var.vpc_cidr
  azs                     = var.azs
  private_subnet_cidrs    = var.private_subnet_cidrs
  database_subnet_cidrs   = var.database_subnet_cidrs
  flow_log_retention_days = var.flow_log_retention_days

  tags = local.tags
}

module "database" {
  source = "./modules/database"

  name                         = local.name
  vpc_id                       = module.network.vpc_id
  azs                          = var.azs
  database_subnet_group_name   = module.network.database_subnet_group_name
  database_security_group_id   = module.network.database_security_group_id
  proxy_subnet_ids             = module.network.private_subnet_ids
  proxy_security_group_id      = module.network.proxy_security_group_id
  engine_version               = var.db_engine_version
  min_capacity                 = var.db_min_capacity
  max_capacity                 = var.db_max_capacity
  backup_retention_days        = var.db_backup_retention_days
  deletion_protection_enabled  = var.db_deletion_protection_enabled
  migrator_user                = var.db_migrator_user
  app_users                    = var.db_app_users
  proxy_borrow_timeout_seconds = var.proxy_borrow_timeout_seconds
  log_retention_days           = var.log_retention_days

  tags = local.tags
}

module "messaging" {
  source = "./modules/messaging"

  name                   = local.name
  worker_timeout_seconds = var.worker_timeout_seconds

  tags = local.tags
}

module "storage" {
  source = "./modules/storage"

  name                    = local.name
  glacier_transition_days = var.archive_glacier_transition_days
  archive_expiration_days = var.archive_expiration_days

  tags = local.tags
}

module "edge" {
  source = "./modules/edge"

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name                        = local.name
  domain_name                 = var.domain_name
  hosted_zone_create_enabled  = var.hosted_zone_create_enabled
  hosted_zone_name            = var.hosted_zone_name
  hosted_zone_id              = var.hosted_zone_id
  query_logging_enabled       = var.dns_query_logging_enabled
  rate_limit_per_5_minutes    = var.waf_rate_limit_per_5_minutes
  api_gateway_account_enabled = var.api_gateway_account_enabled
  log_retention_days          = var.log_retention_days

  tags = local.tags
}

module "observability" {
  source = "./modules/observability"

  name                     = local.name
  functions                = local.functions
  metrics_namespace        = local.metrics_namespace
  service_name             = local.service
  outbox_age_alarm_minutes = var.outbox_age_alarm_minutes
  api_name                 = local.api_name
  api_stage                = var.stage
  queue_name               = module.messaging.queue_name
  dlq_name                 = module.messaging.dlq_name
  async_failure_dlq_name   = module.messaging.async_failure_dlq_name
  cluster_id               = module.database.cluster_id
  max_capacity             = module.database.max_capacity
  proxy_name               = module.database.proxy_name
  waf_acl_name             = module.edge.waf_acl_name
  log_retention_days       = var.log_retention_days
  alarm_emails             = var.alarm_emails

  tags = local.tags
}

module "ci" {
  source = "./modules/ci"

  name                         = local.name
  stage                        = var.stage
  github_repository            = var.github_repository
  github_environment           = var.github_environment
  github_branch                = var.github_branch
  oidc_provider_create_enabled = var.github_oidc_provider_create_enabled
  oidc_provider_arn            = var.github_oidc_provider_arn
  function_role_names          = [for fn in keys(local.functions) : "${local.name}-${fn}"]
  lambda_key_arn               = module.observability.lambda_key_arn
  waf_acl_arn                  = module.edge.waf_acl_arn
  domain_name                  = module.edge.domain_name
  access_log_bucket            = module.storage.access_log_bucket_name
  cloudtrail_enabled           = var.cloudtrail_enabled
  guardduty_enabled            = var.guardduty_enabled
  securityhub_enabled          = var.securityhub_enabled
  config_enabled               = var.config_enabled

  tags = local.tags
}

# Cross-tool invariants (IAC-RULES "Cross-tool invariants"), checked at plan time.
check "timeouts" {
  assert {
    condition     = var.proxy_borrow_timeout_seconds < var.api_timeout_seconds && var.api_timeout_seconds < 29
    error_message = "The proxy borrow timeout must be below the api timeout, and the api timeout below API Gateway's 29 s."
  }
}
