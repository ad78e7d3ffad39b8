variable "name" {
  description = "Name prefix of every resource, <service>-<stage> (e.g. orders-dev)."
  type        = string
}

variable "glacier_transition_days" {
  description = "Days after which archived order objects move to GLACIER."
  type        = number
  default     = 30

  validation {
    condition     = var.glacier_transition_days >= 1
    error_message = "The Glacier transition must be at least one day."
  }
}

variable "archive_expiration_days" {
  description = "Days after which archived orders are deleted; null keeps them (set by the business's record-keeping duty)."
  type        = number
  default     = null
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which an overwritten or deleted archive object version is removed."
  type        = number
  default     = 30
}

variable "access_log_expiration_days" {
  description = "Days server access logs are kept."
  type        = number
  default     = 365

  validation {
    condition     = var.access_log_expiration_days >= 1
    error_message = "Access logs must be kept at least one day."
  }
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
  default     = {}
}
