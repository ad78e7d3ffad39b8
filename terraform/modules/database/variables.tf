variable "name" {
  description = "Name prefix of every resource, <service>-<stage> (e.g. orders-dev)."
  type        = string
}

variable "vpc_id" {
  description = "Id of the VPC."
  type        = string
}

variable "azs" {
  description = "Availability zones; the writer goes to the first, the reader to the second."
  type        = list(string)

  validation {
    condition     = length(var.azs) >= 2 && length(distinct(var.azs)) == length(var.azs)
    error_message = "At least two distinct availability zones are required (writer and reader apart)."
  }
}

variable "database_subnet_group_name" {
  description = "DB subnet group over the isolated database subnets."
  type        = string
}

variable "database_security_group_id" {
  description = "Security group of the Aurora cluster (5432 from the proxy only)."
  type        = string
}

variable "proxy_subnet_ids" {
  description = "Private subnets the proxy lives in."
  type        = list(string)
}

variable "proxy_security_group_id" {
  description = "Security group of RDS Proxy."
  type        = string
}

variable "engine_version" {
  description = "Aurora PostgreSQL engine version (15.x or 16.x)."
  type        = string
  default     = "16.6"

  validation {
    condition     = can(regex("^1[56]\\.[0-9]+$", var.engine_version))
    error_message = "The engine version must be Aurora PostgreSQL 15.x or 16.x."
  }
}

variable "database_name" {
  description = "Name of the database created in the cluster."
  type        = string
  default     = "orders"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database_name))
    error_message = "The database name must be a lowercase PostgreSQL identifier."
  }
}

variable "master_username" {
  description = "Master user name; its password is generated and rotated by Secrets Manager. Not postgres/admin/root (RDS.24)."
  type        = string
  default     = "orders_admin"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,15}$", var.master_username)) && !contains(["postgres", "admin", "root", "rdsadmin", "master"], var.master_username)
    error_message = "The master user name must be a lowercase identifier of at most 16 characters and not a default name."
  }
}

variable "migrator_user" {
  description = "Database user that runs migrate and owns the schema; logs in through the proxy with IAM (granted rds_iam by the roles migration)."
  type        = string
  default     = "orders_migrator"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.migrator_user))
    error_message = "The migrator user must be a lowercase PostgreSQL identifier."
  }
}

variable "app_users" {
  description = "Database user of each application function (api, worker, cleanup): DML only, each logging in through the proxy with IAM as its own user."
  type        = map(string)
  default = {
    api     = "orders_api"
    worker  = "orders_worker"
    cleanup = "orders_cleanup"
  }

  validation {
    condition     = alltrue([for k in ["api", "worker", "cleanup"] : contains(keys(var.app_users), k)]) && alltrue([for u in values(var.app_users) : can(regex("^[a-z][a-z0-9_]{0,62}$", u))])
    error_message = "Name a lowercase PostgreSQL user for each of api, worker and cleanup."
  }
}

variable "min_capacity" {
  description = "Minimum Aurora Serverless v2 capacity in ACUs."
  type        = number
  default     = 0.5

  validation {
    condition     = var.min_capacity >= 0.5 && var.min_capacity <= 256
    error_message = "The minimum capacity must be between 0.5 and 256 ACUs (0 would auto-pause and fail readiness checks)."
  }
}

variable "max_capacity" {
  description = "Maximum Aurora Serverless v2 capacity in ACUs; also bounds max_connections and so the proxy pool."
  type        = number
  default     = 4

  validation {
    condition     = var.max_capacity >= 1 && var.max_capacity <= 256
    error_message = "The maximum capacity must be between 1 and 256 ACUs."
  }
}

variable "backup_retention_days" {
  description = "Days automated backups are kept (more than 1: CKV_AWS_133)."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_days > 1 && var.backup_retention_days <= 35
    error_message = "Backup retention must be between 2 and 35 days."
  }
}

variable "secret_rotation_days" {
  description = "Days between rotations of the master password (at most 30: SecretsManager.4)."
  type        = number
  default     = 30

  validation {
    condition     = var.secret_rotation_days >= 1 && var.secret_rotation_days <= 30
    error_message = "The master password must rotate at least every 30 days."
  }
}

variable "proxy_borrow_timeout_seconds" {
  description = "Seconds a client waits for a pooled connection; below the api function timeout (28 s) so a saturated pool fails the request cleanly instead of timing out the function."
  type        = number
  default     = 10

  validation {
    condition     = var.proxy_borrow_timeout_seconds >= 1 && var.proxy_borrow_timeout_seconds < 28
    error_message = "The borrow timeout must be between 1 s and the api timeout (28 s)."
  }
}

variable "proxy_max_connections_percent" {
  description = "Share of the cluster's max_connections the proxy pool may use."
  type        = number
  default     = 90

  validation {
    condition     = var.proxy_max_connections_percent >= 10 && var.proxy_max_connections_percent <= 100
    error_message = "The proxy pool share must be between 10 and 100 percent."
  }
}

variable "log_retention_days" {
  description = "Retention of the PostgreSQL and proxy log groups, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "The retention must be one of the values CloudWatch Logs accepts."
  }
}

variable "deletion_protection_enabled" {
  description = "Whether the cluster is protected from deletion (keep true outside throw-away accounts)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
  default     = {}
}
