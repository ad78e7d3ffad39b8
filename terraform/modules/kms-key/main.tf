# One customer managed key with rotation and an explicit key policy (CKV_AWS_7, CKV2_AWS_64,
# CKV_AWS_33, KMS.4). Every area module makes its keys through this module so that the policy
# shape is reviewed once.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_root = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
}

data "aws_iam_policy_document" "this" {
  # Key administration stays with the account (and so with IAM policies in it); no "*" principal
  # and no "kms:*": the actions are listed so that a review sees what administrators can do.
  # Administration does not include using the key or granting its use (kms:CreateGrant): that is
  # only possible through the owning services below.
  # In a key policy, Resource "*" means "this key" and is the only value AWS accepts.
  statement {
    sid     = "AccountAdministersKey"
    actions = [
      "kms:CancelKeyDeletion",
      "kms:CreateAlias",
      "kms:Delete*",
      "kms:Describe*",
      "kms:Disable*",
      "kms:Enable*",
      "kms:Get*",
      "kms:List*",
      "kms:Put*",
      "kms:Revoke*",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:Update*",
    ]
    # iac-allow: CKV_AWS_355 in a key policy Resource "*" means this key; KMS accepts no other value
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [local.account_root]
    }
  }

  # Cryptographic use by IAM principals of this account (function roles, the proxy role) is
  # delegated to IAM, and only through the services that own the data.
  dynamic "statement" {
    for_each = length(var.via_service_principals) > 0 ? [1] : []

    content {
      sid     = "AccountUsesKeyThroughOwningServices"
      actions = [
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:Encrypt",
        "kms:GenerateDataKey*",
        "kms:ReEncrypt*",
        "kms:CreateGrant",
      ]
      # iac-allow: CKV_AWS_355 in a key policy Resource "*" means this key; KMS accepts no other value
    resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = [local.account_root]
      }

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = var.via_service_principals
      }
    }
  }

  # CloudWatch Logs encrypts with its regional principal; the encryption context names the log
  # group, so the grant reaches only the listed groups.
  dynamic "statement" {
    for_each = length(var.log_group_arns) > 0 ? [1] : []

    content {
      sid       = "CloudWatchLogsEncryptsListedGroups"
      actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
      # iac-allow: CKV_AWS_355 in a key policy Resource "*" means this key; KMS accepts no other value
    resources = ["*"]

      principals {
        type        = "Service"
        identifiers = ["logs.${data.aws_region.current.region}.amazonaws.com"]
      }

      condition {
        test     = "ArnLike"
        variable = "kms:EncryptionContext:aws:logs:arn"
        values   = var.log_group_arns
      }
    }
  }

  dynamic "statement" {
    for_each = var.service_principals

    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      # iac-allow: CKV_AWS_355 in a key policy Resource "*" means this key; KMS accepts no other value
    resources = ["*"]

      principals {
        type        = "Service"
        identifiers = [statement.value.service]
      }

      dynamic "condition" {
        for_each = statement.value.conditions

        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_kms_key" "this" {
  description             = var.description
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = var.deletion_window_in_days
  policy                  = data.aws_iam_policy_document.this.json

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.alias}"
  target_key_id = aws_kms_key.this.key_id
}
