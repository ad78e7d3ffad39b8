# dev: small and cheap, same shape as prod. No secrets here: the database password is generated
# and rotated by RDS in Secrets Manager; nothing else is secret.

stage               = "dev"
region              = "eu-west-1"
allowed_account_ids = ["111111111111"] # CHANGE-ME: the dev account

vpc_cidr              = "10.20.0.0/16"
azs                   = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
private_subnet_cidrs  = ["10.20.0.0/20", "10.20.16.0/20", "10.20.32.0/20"]
database_subnet_cidrs = ["10.20.128.0/24", "10.20.129.0/24", "10.20.130.0/24"]

db_engine_version              = "16.6"
db_min_capacity                = 0.5
db_max_capacity                = 2
db_backup_retention_days       = 7
db_deletion_protection_enabled = true

api_timeout_seconds          = 28
worker_timeout_seconds       = 30
proxy_borrow_timeout_seconds = 10

archive_glacier_transition_days = 30
archive_expiration_days         = 365

domain_name                = "api.dev.orders.example.com" # CHANGE-ME
hosted_zone_create_enabled = true
hosted_zone_name           = "dev.orders.example.com" # CHANGE-ME; delegate it from the parent zone
dns_query_logging_enabled  = true

waf_rate_limit_per_5_minutes = 2000
api_gateway_account_enabled  = true

log_retention_days      = 30
flow_log_retention_days = 30
alarm_emails            = []

github_repository                   = "CHANGE-ME-owner/orders-lambda-c"
github_environment                  = "dev"
github_branch                       = "main"
github_oidc_provider_create_enabled = true

cloudtrail_enabled  = false
guardduty_enabled   = false
securityhub_enabled = false
config_enabled      = false
