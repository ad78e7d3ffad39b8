# Alarm topic, function log groups (made here so that retention and KMS are set before the first
# invocation; serverless.yml is told not to create them), alarms and the dashboard.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  region     = data.aws_region.current.region
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  function_names = { for k, _ in var.functions : k => "${var.name}-${k}" }
  # The functions' own EMF metrics carry one dimension set, [Service] (functions/api, the same for
  # cleanup): the alarms must name exactly that set, or CloudWatch finds no data.
  emf_dimensions = { Service = var.service_name }
}

module "lambda_key" {
  source = "../kms-key"

  alias       = "${var.name}-lambda"
  description = "Environment variables and log groups of the ${var.name} functions"

  via_service_principals = ["lambda.${local.region}.amazonaws.com"]

  # Also the REST API's access log group, which the serverless stack creates and may encrypt
  # with this key.
  log_group_arns = [
    "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/lambda/${var.name}-*",
    "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/api-gateway/${var.name}*",
  ]

  tags = var.tags
}

resource "aws_cloudwatch_log_group" "function" {
  for_each = local.function_names

  name              = "/aws/lambda/${each.value}"
  retention_in_days = var.log_retention_days
  kms_key_id        = module.lambda_key.key_arn

  tags = var.tags
}

module "alarm_key" {
  source = "../kms-key"

  alias       = "${var.name}-alarms"
  description = "Alarm topic of ${var.name}"

  via_service_principals = ["sns.${local.region}.amazonaws.com"]

  # CloudWatch alarms publish to the encrypted topic with their own service principal.
  service_principals = [{
    sid        = "CloudWatchPublishesAlarms"
    service    = "cloudwatch.amazonaws.com"
    actions    = ["kms:Decrypt", "kms:GenerateDataKey*"]
    conditions = [{
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }]
  }]

  tags = var.tags
}

resource "aws_sns_topic" "this" {
  name              = "${var.name}-alarms"
  kms_master_key_id = module.alarm_key.key_arn

  tags = var.tags
}

data "aws_iam_policy_document" "alarms" {
  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.this.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${var.name}-*"]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.this.arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sns_topic_policy" "this" {
  arn    = aws_sns_topic.this.arn
  policy = data.aws_iam_policy_document.alarms.json
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = each.value
}
