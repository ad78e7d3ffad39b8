variable "name" {
  description = "Globally unique bucket name."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.name))
    error_message = "The bucket name must be 3-63 lowercase letters, digits, dots or hyphens."
  }
}

variable "kms_key_arn" {
  description = "Customer managed key for default SSE-KMS encryption; null selects SSE-S3, which is what S3 server access logging and some AWS log deliveries require of their target."
  type        = string
  default     = null
}

variable "access_logging_enabled" {
  description = "Whether this bucket's server access logs go to access_log_bucket; false only for a bucket that is itself an access-log target. A boolean because the target's name may be known only after apply."
  type        = bool
}

variable "access_log_bucket" {
  description = "Bucket receiving this bucket's server access logs when access_logging_enabled is true."
  type        = string
  default     = null

  validation {
    condition     = !var.access_logging_enabled || var.access_log_bucket != null
    error_message = "access_log_bucket is required when access_logging_enabled is true."
  }
}

variable "access_log_prefix" {
  description = "Key prefix of this bucket's server access logs in access_log_bucket."
  type        = string
  default     = ""
}

variable "glacier_transition_days" {
  description = "Days after which current objects move to the GLACIER storage class; null keeps them in STANDARD."
  type        = number
  default     = null

  validation {
    condition     = var.glacier_transition_days == null ? true : var.glacier_transition_days >= 1
    error_message = "The Glacier transition must be at least one day after creation."
  }
}

variable "expiration_days" {
  description = "Days after which current objects expire; null keeps them."
  type        = number
  default     = null
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which a noncurrent (overwritten or deleted) object version is removed."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "Noncurrent versions must be kept at least one day."
  }
}

variable "policy_documents" {
  description = "Extra bucket policy documents (JSON) merged with the TLS-only statement, e.g. grants to AWS log delivery services."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags applied to the bucket."
  type        = map(string)
  default     = {}
}
