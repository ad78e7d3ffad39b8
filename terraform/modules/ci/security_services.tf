# Account-level security services, each behind its own *_enabled switch: they are singletons per
# account (and region), so when dev and prod share an account only one stage enables them.

locals {
  security_bucket_enabled = var.cloudtrail_enabled || var.config_enabled
  security_bucket_name    = "${var.name}-security-logs-${local.account_id}"
  trail_arn               = "arn:${local.partition}:cloudtrail:${local.region}:${local.account_id}:trail/${var.name}"
}

module "security_log_key" {
  source = "../kms-key"
  count  = local.security_bucket_enabled ? 1 : 0

  alias                  = "${var.name}-security-logs"
  description            = "CloudTrail and Config deliveries of ${var.name}"
  via_service_principals = ["s3.${local.region}.amazonaws.com"]

  service_principals = [
    {
      sid        = "CloudTrailEncryptsLogs"
      service    = "cloudtrail.amazonaws.com"
      actions    = ["kms:GenerateDataKey*", "kms:DescribeKey"]
      conditions = [
        { test = "StringEquals", variable = "aws:SourceArn", values = [local.trail_arn] },
        { test = "StringLike", variable = "kms:EncryptionContext:aws:cloudtrail:arn", values = ["arn:${local.partition}:cloudtrail:*:${local.account_id}:trail/*"] },
      ]
    },
    {
      sid        = "ConfigEncryptsDeliveries"
      service    = "config.amazonaws.com"
      actions    = ["kms:Decrypt", "kms:GenerateDataKey"]
      conditions = [
        { test = "StringEquals", variable = "aws:SourceAccount", values = [local.account_id] },
      ]
    },
  ]

  tags = var.tags
}

data "aws_iam_policy_document" "security_log_delivery" {
  statement {
    sid       = "ServicesCheckBucketAcl"
    actions   = ["s3:GetBucketAcl", "s3:ListBucket"]
    resources = ["arn:${local.partition}:s3:::${local.security_bucket_name}"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com", "config.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "CloudTrailWrites"
    actions   = ["s3:PutObject"]
    resources = ["arn:${local.partition}:s3:::${local.security_bucket_name}/cloudtrail/AWSLogs/${local.account_id}/*"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }

  statement {
    sid       = "ConfigWrites"
    actions   = ["s3:PutObject"]
    resources = ["arn:${local.partition}:s3:::${local.security_bucket_name}/config/AWSLogs/${local.account_id}/Config/*"]

    principals {
      type        = "Service"
      identifiers = ["config.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

module "security_logs" {
  source = "../bucket"
  count  = local.security_bucket_enabled ? 1 : 0

  name                    = local.security_bucket_name
  kms_key_arn             = module.security_log_key[0].key_arn
  access_logging_enabled  = true
  access_log_bucket       = var.access_log_bucket
  access_log_prefix       = "${local.security_bucket_name}/"
  glacier_transition_days = 90
  expiration_days         = 2557 # 7 years, a common audit retention
  policy_documents        = [data.aws_iam_policy_document.security_log_delivery.json]

  tags = var.tags
}

resource "aws_cloudtrail" "this" {
  count = var.cloudtrail_enabled ? 1 : 0

  name                          = var.name
  s3_bucket_name                = module.security_logs[0].name
  s3_key_prefix                 = "cloudtrail"
  kms_key_id                    = module.security_log_key[0].key_arn
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true

  tags = var.tags

  # CloudTrail checks at creation that the bucket policy lets it write; the bucket's name alone
  # does not order this after the policy (module.security_logs holds it).
  depends_on = [module.security_logs]
}

resource "aws_guardduty_detector" "this" {
  count = var.guardduty_enabled ? 1 : 0

  enable                       = true
  finding_publishing_frequency = "FIFTEEN_MINUTES"

  tags = var.tags
}

resource "aws_securityhub_account" "this" {
  count = var.securityhub_enabled ? 1 : 0

  enable_default_standards = false
}

resource "aws_securityhub_standards_subscription" "fsbp" {
  count = var.securityhub_enabled ? 1 : 0

  standards_arn = "arn:${local.partition}:securityhub:${local.region}::standards/aws-foundational-security-best-practices/v/1.0.0"

  depends_on = [aws_securityhub_account.this]
}

resource "aws_iam_service_linked_role" "config" {
  count = var.config_enabled ? 1 : 0

  aws_service_name = "config.amazonaws.com"

  tags = var.tags
}

resource "aws_config_configuration_recorder" "this" {
  count = var.config_enabled ? 1 : 0

  name     = var.name
  role_arn = aws_iam_service_linked_role.config[0].arn

  recording_group {
    all_supported                 = true
    include_global_resource_types = true
  }
}

resource "aws_config_delivery_channel" "this" {
  count = var.config_enabled ? 1 : 0

  name           = var.name
  s3_bucket_name = module.security_logs[0].name
  s3_key_prefix  = "config"
  s3_kms_key_arn = module.security_log_key[0].key_arn

  # Config checks at creation that it can write to the bucket: the bucket policy comes first.
  depends_on = [aws_config_configuration_recorder.this, module.security_logs]
}

resource "aws_config_configuration_recorder_status" "this" {
  count = var.config_enabled ? 1 : 0

  name       = aws_config_configuration_recorder.this[0].name
  is_enabled = true

  depends_on = [aws_config_delivery_channel.this]
}
