# The archive bucket (gzip JSON Lines of terminal orders, written by the cleanup function) and the
# bucket receiving S3 server access logs.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  region     = data.aws_region.current.region
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  # Bucket names are global: the account id keeps stages of different accounts apart.
  archive_bucket_name    = "${var.name}-archive-${local.account_id}"
  access_log_bucket_name = "${var.name}-s3-access-logs-${local.account_id}"
}

module "key" {
  source = "../kms-key"

  alias                  = "${var.name}-archive"
  description            = "Order archive bucket of ${var.name}"
  via_service_principals = ["s3.${local.region}.amazonaws.com"]

  tags = var.tags
}

module "archive" {
  source = "../bucket"

  name                               = local.archive_bucket_name
  kms_key_arn                        = module.key.key_arn
  access_logging_enabled             = true
  access_log_bucket                  = module.access_logs.name
  access_log_prefix                  = "${local.archive_bucket_name}/"
  glacier_transition_days            = var.glacier_transition_days
  expiration_days                    = var.archive_expiration_days
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days

  tags = var.tags
}

# S3 server access logging writes only to targets encrypted with SSE-S3 (it cannot use a
# customer managed key), so this bucket alone uses AES256. It receives logs and is not itself
# logged: logging it into itself would loop, and another bucket would only move the question.
data "aws_iam_policy_document" "access_log_delivery" {
  statement {
    sid       = "S3ServerAccessLogDelivery"
    actions   = ["s3:PutObject"]
    resources = ["arn:${local.partition}:s3:::${local.access_log_bucket_name}/*"]

    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:s3:::${var.name}-*"]
    }
  }
}

module "access_logs" {
  source = "../bucket"

  # iac-allow: CKV_AWS_145 S3 server access logging delivers only to SSE-S3 (AES256) targets, not SSE-KMS
  # iac-allow: CKV_AWS_18 this bucket is the access-log target; logging it into itself would loop

  name                               = local.access_log_bucket_name
  kms_key_arn                        = null
  access_logging_enabled             = false
  access_log_bucket                  = null
  expiration_days                    = var.access_log_expiration_days
  noncurrent_version_expiration_days = 7
  policy_documents                   = [data.aws_iam_policy_document.access_log_delivery.json]

  tags = var.tags
}
