# prod: the same estate as dev with production capacity, retention and the account-level security
# services. No secrets here.

stage               = "prod"
region              = "eu-west-1"
allowed_account_ids = ["222222222222"] # CHANGE-ME: the prod account

vpc_cidr              = "10.30.0.0/16"
azs                   = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
private_subnet_cidrs  = ["10.30.0.0/20", "10.30.16.0/20", "10.30.32.0/20"]
database_subnet_cidrs = ["10.30.128.0/24", "10.30.129.0/24", "10.30.130.0/24"]

db_engine_version              = "16.6"
db_min_capacity                = 1
db_max_capacity                = 16
db_backup_retention_days       = 35
db_deletion_protection_enabled = true

api_timeout_seconds          = 28
worker_timeout_seconds       = 30
proxy_borrow_timeout_seconds = 10

archive_glacier_transition_days = 30
archive_expiration_days         = null # keep archived orders; set from the record-keeping duty

domain_name                = "api.orders.example.com" # CHANGE-ME
hosted_zone_create_enabled = false
hosted_zone_id             = "Z0000000000000000000" # CHANGE-ME: the existing public zone
dns_query_logging_enabled  = true

waf_rate_limit_per_5_minutes = 2000
api_gateway_account_enabled  = true

log_retention_days      = 365
flow_log_retention_days = 365
alarm_emails            = ["CHANGE-ME-oncall@example.com"]

github_repository                   = "CHANGE-ME-owner/orders-lambda-c"
github_environment                  = "prod"
github_branch                       = null
github_oidc_provider_create_enabled = true

cloudtrail_enabled  = true
guardduty_enabled   = true
securityhub_enabled = true
config_enabled      = true
