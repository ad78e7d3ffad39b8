variable "stage" {
  description = "Deployment stage; names every resource orders-<stage> and every SSM parameter /orders/<stage>/..."
  type        = string

  validation {
    condition     = contains(["dev", "prod"], var.stage)
    error_message = "The stage must be dev or prod."
  }
}

variable "extra_tags" {
  description = "Tags added to the standard ones (Service, Stage, ManagedBy, Repository), e.g. CostCenter."
  type        = map(string)
  default     = {}
}

################################################################################
# Network
################################################################################

variable "vpc_cidr" {
  description = "IPv4 CIDR block of the VPC."
  type        = string

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "The VPC CIDR must be a valid IPv4 CIDR block."
  }
}

variable "azs" {
  description = "Three availability zones of the region."
  type        = list(string)

  validation {
    condition     = length(var.azs) == 3
    error_message = "Exactly three availability zones are required."
  }
}

variable "private_subnet_cidrs" {
  description = "CIDR blocks of the private subnets (functions, RDS Proxy, interface endpoints), one per AZ."
  type        = list(string)

  validation {
    condition     = alltrue([for c in var.private_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "Each private subnet CIDR must be a valid IPv4 CIDR block."
  }
}

variable "database_subnet_cidrs" {
  description = "CIDR blocks of the isolated database subnets, one per AZ."
  type        = list(string)

  validation {
    condition     = alltrue([for c in var.database_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "Each database subnet CIDR must be a valid IPv4 CIDR block."
  }
}

################################################################################
# Database
################################################################################

variable "db_engine_version" {
  description = "Aurora PostgreSQL engine version (15.x or 16.x)."
  type        = string
  default     = "16.6"

  validation {
    condition     = can(regex("^1[56]\\.[0-9]+$", var.db_engine_version))
    error_message = "The engine version must be Aurora PostgreSQL 15.x or 16.x."
  }
}

variable "db_min_capacity" {
  description = "Minimum Aurora Serverless v2 capacity (ACUs)."
  type        = number
  default     = 0.5
}

variable "db_max_capacity" {
  description = "Maximum Aurora Serverless v2 capacity (ACUs)."
  type        = number
  default     = 4
}

variable "db_backup_retention_days" {
  description = "Days automated backups are kept (more than 1)."
  type        = number
  default     = 7
}

variable "db_migrator_user" {
  description = "Database user that runs migrate and owns the schema; published as /orders/<stage>/db/migrator_user."
  type        = string
  default     = "orders_migrator"
}

variable "db_app_users" {
  description = "Database user of each application function (api, worker, cleanup); published as /orders/<stage>/db/<fn>_user."
  type        = map(string)
  default = {
    api     = "orders_api"
    worker  = "orders_worker"
    cleanup = "orders_cleanup"
  }
}

variable "db_deletion_protection_enabled" {
  description = "Whether the Aurora cluster is protected from deletion."
  type        = bool
  default     = true
}

################################################################################
# Functions (timeouts set in serverless.yml; repeated here for the invariants they drive)
################################################################################

variable "api_timeout_seconds" {
  description = "Timeout of the api function: 28 s, because API Gateway ends the request at 29 s."
  type        = number
  default     = 28

  validation {
    condition     = var.api_timeout_seconds >= 1 && var.api_timeout_seconds < 29
    error_message = "The api timeout must stay below API Gateway's 29 s integration limit."
  }
}

variable "worker_timeout_seconds" {
  description = "Timeout of the worker function; the queue's visibility timeout is six times this."
  type        = number
  default     = 30
}

variable "proxy_borrow_timeout_seconds" {
  description = "Seconds a client waits for a pooled proxy connection; must stay below the api timeout."
  type        = number
  default     = 10
}

################################################################################
# Storage
################################################################################

variable "archive_glacier_transition_days" {
  description = "Days after which archived orders move to GLACIER."
  type        = number
  default     = 30
}

variable "archive_expiration_days" {
  description = "Days after which archived orders are deleted; null keeps them."
  type        = number
  default     = null
}

################################################################################
# Edge
################################################################################

variable "domain_name" {
  description = "Custom domain of the API, e.g. api.orders.example.com."
  type        = string
}

variable "hosted_zone_create_enabled" {
  description = "Whether this stage creates the public hosted zone hosted_zone_name (else uses hosted_zone_id)."
  type        = bool
  default     = false
}

variable "hosted_zone_name" {
  description = "Name of the hosted zone to create when hosted_zone_create_enabled is true."
  type        = string
  default     = null
}

variable "hosted_zone_id" {
  description = "Id of an existing public hosted zone, used when hosted_zone_create_enabled is false."
  type        = string
  default     = null
}

variable "dns_query_logging_enabled" {
  description = "Whether Route 53 query logging is configured for the zone (one configuration per zone: enable it in the stage that owns the zone)."
  type        = bool
  default     = true
}

variable "api_gateway_account_enabled" {
  description = "Whether this stage sets the region's API Gateway logging role (one per account and region)."
  type        = bool
  default     = true
}

variable "waf_rate_limit_per_5_minutes" {
  description = "Requests per client IP per 5 minutes before the WAF blocks."
  type        = number
  default     = 2000
}

################################################################################
# Observability
################################################################################

variable "log_retention_days" {
  description = "Retention of the functions', database and edge log groups, in days."
  type        = number
  default     = 30
}

variable "flow_log_retention_days" {
  description = "Retention of the VPC flow logs, in days."
  type        = number
  default     = 90
}

variable "outbox_age_alarm_minutes" {
  description = "Age in minutes of the oldest unpublished outbox row above which the alarm fires."
  type        = number
  default     = 15
}

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the alarm topic."
  type        = list(string)
  default     = []
}

################################################################################
# CI and account security services
################################################################################

variable "github_repository" {
  description = "GitHub repository (owner/name) whose workflows deploy this stage."
  type        = string
}

variable "github_environment" {
  description = "GitHub Actions environment allowed to assume the deploy role."
  type        = string
}

variable "github_branch" {
  description = "Branch allowed to assume the deploy role outside an environment; null for environment only."
  type        = string
  default     = null
}

variable "github_oidc_provider_create_enabled" {
  description = "Whether this stage creates the account's GitHub OIDC provider."
  type        = bool
  default     = true
}

variable "github_oidc_provider_arn" {
  description = "ARN of the existing GitHub OIDC provider when this stage does not create it."
  type        = string
  default     = null
}

variable "cloudtrail_enabled" {
  description = "Whether to create a multi-region CloudTrail trail (one stage per account)."
  type        = bool
  default     = false
}

variable "guardduty_enabled" {
  description = "Whether to enable GuardDuty (one stage per account and region)."
  type        = bool
  default     = false
}

variable "securityhub_enabled" {
  description = "Whether to enable Security Hub (one stage per account and region)."
  type        = bool
  default     = false
}

variable "config_enabled" {
  description = "Whether to enable the AWS Config recorder (one stage per account and region)."
  type        = bool
  default     = false
}
