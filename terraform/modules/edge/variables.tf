variable "name" {
  description = "Name prefix of every resource, <service>-<stage> (e.g. orders-dev)."
  type        = string
}

variable "domain_name" {
  description = "Custom domain of the API, e.g. api.orders.example.com; must lie in the hosted zone."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "The domain name must be a lowercase fully qualified host name."
  }
}

variable "hosted_zone_create_enabled" {
  description = "Whether this stage creates the public hosted zone hosted_zone_name; false uses the existing zone hosted_zone_id."
  type        = bool
  default     = false
}

variable "hosted_zone_name" {
  description = "Name of the hosted zone to create when hosted_zone_create_enabled is true."
  type        = string
  default     = null

  validation {
    condition     = !var.hosted_zone_create_enabled || var.hosted_zone_name != null
    error_message = "hosted_zone_name is required when hosted_zone_create_enabled is true."
  }
}

variable "hosted_zone_id" {
  description = "Id of an existing public hosted zone, used when hosted_zone_create_enabled is false."
  type        = string
  default     = null

  validation {
    condition     = var.hosted_zone_create_enabled || var.hosted_zone_id != null
    error_message = "hosted_zone_id is required when hosted_zone_create_enabled is false."
  }
}

variable "query_logging_enabled" {
  description = "Whether Route 53 query logging is configured for the zone (CKV2_AWS_39). A zone takes one query logging configuration, so enable it in the one stage that owns the zone."
  type        = bool
  default     = true
}

variable "rate_limit_per_5_minutes" {
  description = "Requests one client IP may make in any 5-minute window before the WAF blocks it."
  type        = number
  default     = 2000

  validation {
    condition     = var.rate_limit_per_5_minutes >= 10 && var.rate_limit_per_5_minutes <= 2000000000
    error_message = "The WAF rate limit must be between 10 and 2,000,000,000."
  }
}

variable "log_retention_days" {
  description = "Retention of the WAF and DNS query log groups, in days."
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "The retention must be one of the values CloudWatch Logs accepts."
  }
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
  default     = {}
}

variable "api_gateway_account_enabled" {
  description = "Whether this stage sets the region's API Gateway account settings (the role API Gateway writes REST API logs with). One setting per account and region: enable it in one stage per account."
  type        = bool
  default     = true
}
