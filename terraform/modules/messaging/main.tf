# The orders queue, its DLQ, and a queue for failed asynchronous invocations (scheduled cleanup
# runs and EventBridge deliveries), all KMS-encrypted with TLS-only policies.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  region     = data.aws_region.current.region
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  dlq_retention_seconds = 1209600 # 14 days, the SQS maximum, longer than the source's
  # The schedules are EventBridge rules of the serverless stack, named after it (orders-<stage>-...).
  event_rule_arn_pattern = "arn:${local.partition}:events:${local.region}:${local.account_id}:rule/${var.name}-*"
}

module "key" {
  source = "../kms-key"

  alias       = "${var.name}-queue"
  description = "SQS queues of ${var.name}"

  via_service_principals = ["sqs.${local.region}.amazonaws.com"]

  # EventBridge writes undeliverable events to the async-failure queue with its own principal.
  service_principals = [{
    sid        = "EventBridgeWritesFailedEvents"
    service    = "events.amazonaws.com"
    actions    = ["kms:Decrypt", "kms:GenerateDataKey"]
    conditions = [{
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.event_rule_arn_pattern]
    }]
  }]

  tags = var.tags
}

resource "aws_sqs_queue" "orders" {
  name                              = "${var.name}-orders"
  kms_master_key_id                 = module.key.key_arn
  kms_data_key_reuse_period_seconds = 300
  message_retention_seconds         = var.message_retention_seconds
  visibility_timeout_seconds        = 6 * var.worker_timeout_seconds
  receive_wait_time_seconds         = 20

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.max_receive_count
  })

  tags = var.tags
}

resource "aws_sqs_queue" "dlq" {
  name                              = "${var.name}-orders-dlq"
  kms_master_key_id                 = module.key.key_arn
  kms_data_key_reuse_period_seconds = 300
  message_retention_seconds         = local.dlq_retention_seconds

  tags = var.tags
}

resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.orders.arn]
  })
}

resource "aws_sqs_queue" "async_failure" {
  name                              = "${var.name}-async-dlq"
  kms_master_key_id                 = module.key.key_arn
  kms_data_key_reuse_period_seconds = 300
  message_retention_seconds         = local.dlq_retention_seconds

  tags = var.tags
}

################################################################################
# Queue policies (CKV_AWS_72, SQS.3): TLS only; no "*" action or principal in an Allow
################################################################################

data "aws_iam_policy_document" "tls_only" {
  for_each = {
    orders        = aws_sqs_queue.orders.arn
    dlq           = aws_sqs_queue.dlq.arn
    async_failure = aws_sqs_queue.async_failure.arn
  }

  # A Deny names every principal so that it binds all callers; it grants nothing.
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [each.value]

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

data "aws_iam_policy_document" "async_failure" {
  source_policy_documents = [data.aws_iam_policy_document.tls_only["async_failure"].json]

  statement {
    sid       = "EventBridgeDeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.async_failure.arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.event_rule_arn_pattern]
    }
  }
}

resource "aws_sqs_queue_policy" "orders" {
  queue_url = aws_sqs_queue.orders.id
  policy    = data.aws_iam_policy_document.tls_only["orders"].json
}

resource "aws_sqs_queue_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  policy    = data.aws_iam_policy_document.tls_only["dlq"].json
}

resource "aws_sqs_queue_policy" "async_failure" {
  queue_url = aws_sqs_queue.async_failure.id
  policy    = data.aws_iam_policy_document.async_failure.json
}
