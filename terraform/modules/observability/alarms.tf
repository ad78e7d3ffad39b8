# Alarms, one table: each entry is a single-metric alarm and names only what differs from
# alarm_defaults. The proxy's connections-vs-max alarm needs metric math and stands on its own.

locals {
  alarm_defaults = {
    statistic          = "Sum"
    extended_statistic = null
    period             = 300
    evaluation_periods = 1
    threshold          = 0
    comparison         = "GreaterThanThreshold"
    missing_data       = "notBreaching"
  }

  # One entry per function and metric, as key/value pairs so the table reads without argument
  # expansion.
  lambda_alarms = { for a in flatten([
    for fn, cfg in var.functions : [
      {
        key   = "${fn}-errors"
        value = {
          description = "${local.function_names[fn]} reported errors (5 min)."
          namespace   = "AWS/Lambda"
          metric_name = "Errors"
          dimensions  = { FunctionName = local.function_names[fn] }
        }
      },
      {
        key   = "${fn}-throttles"
        value = {
          description = "${local.function_names[fn]} was throttled (5 min)."
          namespace   = "AWS/Lambda"
          metric_name = "Throttles"
          dimensions  = { FunctionName = local.function_names[fn] }
        }
      },
      {
        key   = "${fn}-duration-p99"
        value = {
          description        = "${local.function_names[fn]} p99 duration above ${cfg.duration_p99_alarm_ms} ms (timeout ${cfg.timeout_seconds} s) for 15 min."
          namespace          = "AWS/Lambda"
          metric_name        = "Duration"
          dimensions         = { FunctionName = local.function_names[fn] }
          statistic          = null
          extended_statistic = "p99"
          evaluation_periods = 3
          threshold          = cfg.duration_p99_alarm_ms
        }
      },
    ]
  ]) : a.key => a.value }

  service_alarms = {
    "api-5xx" = {
      description = "The REST API answered 5XX (5 min)."
      namespace   = "AWS/ApiGateway"
      metric_name = "5XXError"
      dimensions  = { ApiName = var.api_name, Stage = var.api_stage }
    }
    "api-latency-p99" = {
      description        = "REST API p99 latency above ${var.api_latency_p99_alarm_ms} ms for 15 min."
      namespace          = "AWS/ApiGateway"
      metric_name        = "Latency"
      dimensions         = { ApiName = var.api_name, Stage = var.api_stage }
      statistic          = null
      extended_statistic = "p99"
      evaluation_periods = 3
      threshold          = var.api_latency_p99_alarm_ms
    }
    "queue-oldest-message-age" = {
      description        = "An orders message has waited more than ${var.queue_age_alarm_seconds} s: the worker is failing or too slow."
      namespace          = "AWS/SQS"
      metric_name        = "ApproximateAgeOfOldestMessage"
      dimensions         = { QueueName = var.queue_name }
      statistic          = "Maximum"
      period             = 60
      evaluation_periods = 5
      threshold          = var.queue_age_alarm_seconds
    }
    "dlq-not-empty" = {
      description = "Orders messages reached the DLQ: they failed ${var.queue_name}'s maxReceiveCount deliveries."
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = var.dlq_name }
      statistic   = "Maximum"
      period      = 60
    }
    "async-dlq-not-empty" = {
      description = "A scheduled cleanup invocation or EventBridge delivery failed for good."
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = var.async_failure_dlq_name }
      statistic   = "Maximum"
      period      = 60
    }
    "aurora-cpu" = {
      description        = "Aurora CPU above 80 % for 15 min."
      namespace          = "AWS/RDS"
      metric_name        = "CPUUtilization"
      dimensions         = { DBClusterIdentifier = var.cluster_id }
      statistic          = "Average"
      evaluation_periods = 3
      threshold          = 80
      missing_data       = "missing"
    }
    "aurora-capacity" = {
      description        = "Aurora Serverless v2 above 90 % of its ${var.max_capacity} ACU maximum for 15 min: raise max_capacity or find the load."
      namespace          = "AWS/RDS"
      metric_name        = "ServerlessDatabaseCapacity"
      dimensions         = { DBClusterIdentifier = var.cluster_id }
      statistic          = "Average"
      evaluation_periods = 3
      threshold          = 0.9 * var.max_capacity
      comparison         = "GreaterThanOrEqualToThreshold"
      missing_data       = "missing"
    }
    "proxy-pinned-sessions" = {
      description        = "Client sessions pinned to database connections: a request path uses session state (only migrate may)."
      namespace          = "AWS/RDS"
      metric_name        = "DatabaseConnectionsCurrentlySessionPinned"
      dimensions         = { ProxyName = var.proxy_name }
      statistic          = "Maximum"
      evaluation_periods = 3
      threshold          = 2
    }
    # The daily archive must run. Lambda's Invocations would also count the outbox runs (every
    # 5 minutes, same function), so this watches the EMF metric only an archive run emits; no
    # data means no archive run, which is the failure to catch.
    "cleanup-archive-not-run-24h" = {
      description  = "No archive run of ${local.function_names["cleanup"]} for 24 h (EMF ${var.metrics_namespace}/ArchiveRuns)."
      namespace    = var.metrics_namespace
      metric_name  = "ArchiveRuns"
      dimensions   = local.emf_dimensions
      period       = 86400
      threshold    = 1
      comparison   = "LessThanThreshold"
      missing_data = "breaching"
    }
    # The outbox relay (every 5 minutes) reports the age of the oldest row still unpublished: one
    # older than the limit is a message the worker has not had, and the relay cannot send it.
    "outbox-oldest-age" = {
      description = "An outbox row has been unpublished for more than ${var.outbox_age_alarm_minutes} min (EMF ${var.metrics_namespace}/OutboxOldestAgeSeconds)."
      namespace   = var.metrics_namespace
      metric_name = "OutboxOldestAgeSeconds"
      dimensions  = local.emf_dimensions
      statistic   = "Maximum"
      threshold   = var.outbox_age_alarm_minutes * 60
    }
  }

  alarms = { for k, a in merge(local.lambda_alarms, local.service_alarms) : k => merge(local.alarm_defaults, a) }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  extended_statistic  = each.value.extended_statistic
  period              = each.value.period
  evaluation_periods  = each.value.evaluation_periods
  threshold           = each.value.threshold
  comparison_operator = each.value.comparison
  treat_missing_data  = each.value.missing_data
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]

  tags = var.tags
}

# Proxy connections to the database against the most the proxy may open (its share of the
# cluster's max_connections, which follows the ACU maximum).
resource "aws_cloudwatch_metric_alarm" "proxy_connections" {
  alarm_name          = "${var.name}-proxy-connections-vs-max"
  alarm_description   = "RDS Proxy uses more than 80 % of the database connections it may open, for 15 min."
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 3
  threshold           = 80
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]

  metric_query {
    id          = "usage"
    expression  = "100 * connections / allowed"
    label       = "Proxy connections, % of maximum"
    return_data = true
  }

  metric_query {
    id = "connections"

    metric {
      namespace   = "AWS/RDS"
      metric_name = "DatabaseConnections"
      period      = 300
      stat        = "Maximum"
      dimensions  = {
        ProxyName   = var.proxy_name
        TargetGroup = "default"
        TargetRole  = "READ_WRITE"
      }
    }
  }

  metric_query {
    id = "allowed"

    metric {
      namespace   = "AWS/RDS"
      metric_name = "MaxDatabaseConnectionsAllowed"
      period      = 300
      stat        = "Minimum"
      dimensions  = {
        ProxyName   = var.proxy_name
        TargetGroup = "default"
        TargetRole  = "READ_WRITE"
      }
    }
  }

  tags = var.tags
}
