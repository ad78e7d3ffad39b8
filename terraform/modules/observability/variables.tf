variable "name" {
  description = "Name prefix of every resource, <service>-<stage> (e.g. orders-dev); also the prefix of the serverless function names."
  type        = string
}

variable "functions" {
  description = "Functions of the serverless stack by short name (api, worker, cleanup, migrate), with their timeout and the p99 duration that should page."
  type        = map(object({
    timeout_seconds       = number
    duration_p99_alarm_ms = number
  }))

  validation {
    condition     = alltrue([for k in ["api", "worker", "cleanup", "migrate"] : contains(keys(var.functions), k)])
    error_message = "The functions api, worker, cleanup and migrate must be listed."
  }

  validation {
    condition     = alltrue([for f in values(var.functions) : f.duration_p99_alarm_ms < f.timeout_seconds * 1000])
    error_message = "Each duration alarm must fire below the function's timeout."
  }
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the functions' EMF metrics (their METRICS_NAMESPACE setting)."
  type        = string
}

variable "service_name" {
  description = "Value of the Service dimension of the functions' EMF metrics (their SERVICE_NAME setting)."
  type        = string
}

variable "outbox_age_alarm_minutes" {
  description = "Age in minutes of the oldest unpublished outbox row (the relay's OutboxOldestAgeSeconds) above which the alarm fires."
  type        = number
  default     = 15

  validation {
    condition     = var.outbox_age_alarm_minutes >= 5
    error_message = "The outbox age alarm must allow at least one relay run (5 minutes)."
  }
}

variable "api_name" {
  description = "Name of the REST API made by serverless.yml (CloudWatch dimension ApiName)."
  type        = string
}

variable "api_stage" {
  description = "Stage of the REST API (CloudWatch dimension Stage)."
  type        = string
}

variable "api_latency_p99_alarm_ms" {
  description = "p99 latency of the REST API above which the alarm fires."
  type        = number
  default     = 3000
}

variable "queue_name" {
  description = "Name of the orders queue."
  type        = string
}

variable "dlq_name" {
  description = "Name of the orders dead-letter queue."
  type        = string
}

variable "async_failure_dlq_name" {
  description = "Name of the asynchronous-failure queue."
  type        = string
}

variable "queue_age_alarm_seconds" {
  description = "Age of the oldest orders message above which the alarm fires."
  type        = number
  default     = 300
}

variable "cluster_id" {
  description = "Aurora cluster identifier."
  type        = string
}

variable "max_capacity" {
  description = "Maximum ACUs of the cluster; the capacity alarm fires at 90 % of it."
  type        = number
}

variable "proxy_name" {
  description = "Name of the RDS Proxy."
  type        = string
}

variable "waf_acl_name" {
  description = "Name of the WAF web ACL, for the dashboard."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the function log groups, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "The retention must be one of the values CloudWatch Logs accepts."
  }
}

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the alarm topic (each must confirm the subscription)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "Each alarm e-mail must be an e-mail address."
  }
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
  default     = {}
}
