# Shared by every stage: environments/prod/providers.tf and main.tf are links to these files, so
# the stages differ only in backend.tf and terraform.tfvars.

terraform {
  required_version = ">= 1.11.1"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.28, < 7.0"
    }
  }
}

variable "region" {
  description = "AWS region of the stage."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "The region must be an AWS region name such as eu-west-1."
  }
}

variable "allowed_account_ids" {
  description = "AWS accounts this stage may be applied to; a run with credentials of another account stops before any change."
  type        = list(string)

  validation {
    condition     = length(var.allowed_account_ids) > 0 && alltrue([for a in var.allowed_account_ids : can(regex("^[0-9]{12}$", a))])
    error_message = "List at least one 12-digit AWS account id."
  }
}

provider "aws" {
  region              = var.region
  allowed_account_ids = var.allowed_account_ids
}

# Route 53 query logs and their key must live in us-east-1.
provider "aws" {
  alias               = "us_east_1"
  region              = "us-east-1"
  allowed_account_ids = var.allowed_account_ids
}
