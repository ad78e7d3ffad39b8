variable "alias" {
  description = "Alias of the key without the alias/ prefix, e.g. orders-dev-queue."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9/_-]{1,250}$", var.alias)) && !startswith(var.alias, "aws/")
    error_message = "The alias must be 1-250 characters of letters, digits, /, _ or - and must not start with aws/."
  }
}

variable "description" {
  description = "What the key protects; shown in the KMS console."
  type        = string
}

variable "deletion_window_in_days" {
  description = "Waiting period before a scheduled deletion takes effect."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "The deletion window must be between 7 and 30 days."
  }
}

variable "service_principals" {
  description = "AWS services allowed to use the key directly (key policy statements), each with the actions it needs and the conditions that pin it to this account or resource."
  type        = list(object({
    sid        = string
    service    = string
    actions    = list(string)
    conditions = optional(list(object({ test = string, variable = string, values = list(string) })), [])
  }))
  default = []

  validation {
    condition = alltrue([for p in var.service_principals : alltrue([
      for a in p.actions : a != "*" && a != "kms:*"
    ])])
    error_message = "Service principals get named actions, never * or kms:*."
  }
}

variable "log_group_arns" {
  description = "ARNs (wildcards allowed) of CloudWatch Logs log groups this key encrypts; adds the statement for the regional Logs service, bound to those groups by encryption context."
  type        = list(string)
  default     = []
}

variable "via_service_principals" {
  description = "AWS services (e.g. sqs.eu-west-1.amazonaws.com) through which IAM principals of this account may use the key; narrows the IAM delegation statement with kms:ViaService."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags applied to the key."
  type        = map(string)
  default     = {}
}
