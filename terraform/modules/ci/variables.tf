variable "name" {
  description = "Name prefix of every resource, <service>-<stage> (e.g. orders-dev)."
  type        = string
}

variable "stage" {
  description = "Deployment stage this role deploys (dev or prod)."
  type        = string

  validation {
    condition     = contains(["dev", "prod"], var.stage)
    error_message = "The stage must be dev or prod."
  }
}

variable "github_repository" {
  description = "GitHub repository allowed to assume the deploy role, as owner/name."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "The repository must be given as owner/name."
  }
}

variable "github_environment" {
  description = "GitHub Actions environment whose jobs may assume the role (its protection rules gate the deploy)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,255}$", var.github_environment))
    error_message = "The environment name must be 1-255 letters, digits, _, . or - (no wildcard)."
  }
}

variable "github_branch" {
  description = "Branch whose workflow runs may assume the role when a job does not use an environment; null allows only the environment."
  type        = string
  default     = null

  validation {
    condition     = var.github_branch == null || can(regex("^[A-Za-z0-9_./-]{1,255}$", var.github_branch))
    error_message = "The branch must be a plain branch name (no wildcard)."
  }
}

variable "oidc_provider_create_enabled" {
  description = "Whether this stage creates the account's GitHub OIDC provider (one per account: create it in one stage, pass its ARN to the others)."
  type        = bool
  default     = true
}

variable "oidc_provider_arn" {
  description = "ARN of an existing token.actions.githubusercontent.com provider, used when oidc_provider_create_enabled is false."
  type        = string
  default     = null

  validation {
    condition     = var.oidc_provider_create_enabled || var.oidc_provider_arn != null
    error_message = "oidc_provider_arn is required when oidc_provider_create_enabled is false."
  }
}

variable "function_role_names" {
  description = "Exact names of the functions' IAM roles, which the serverless stack creates (orders-<stage>-<fn>); the only roles the deploy role may change or pass."
  type        = list(string)

  validation {
    condition     = length(var.function_role_names) > 0 && alltrue([for n in var.function_role_names : can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", n))])
    error_message = "List at least one role, each an exact IAM role name (no wildcard)."
  }
}

variable "lambda_key_arn" {
  description = "KMS key of the functions' environment, which the deploy configures."
  type        = string
}

variable "waf_acl_arn" {
  description = "Web ACL the deploy associates with the REST API stage."
  type        = string
}

variable "domain_name" {
  description = "Custom domain whose base path mapping the deploy manages."
  type        = string
}

variable "access_log_bucket" {
  description = "Bucket receiving server access logs of the security log bucket."
  type        = string
}

variable "cloudtrail_enabled" {
  description = "Whether to create a multi-region CloudTrail trail (account level: enable in one stage per account)."
  type        = bool
  default     = false
}

variable "guardduty_enabled" {
  description = "Whether to enable GuardDuty in this region (one detector per account and region)."
  type        = bool
  default     = false
}

variable "securityhub_enabled" {
  description = "Whether to enable Security Hub with the AWS Foundational Security Best Practices standard (account level)."
  type        = bool
  default     = false
}

variable "config_enabled" {
  description = "Whether to enable the AWS Config recorder (one per account and region)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
  default     = {}
}
