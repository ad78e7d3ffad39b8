# One dashboard that reads top to bottom along a request: API -> functions -> queue -> database.

locals {
  api_dims   = ["ApiName", var.api_name, "Stage", var.api_stage]
  proxy_dims = ["ProxyName", var.proxy_name]
  rds_dims   = ["DBClusterIdentifier", var.cluster_id]

  fn_metric = {
    for m in ["Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions"] : m => [
      for fn, name in local.function_names : ["AWS/Lambda", m, "FunctionName", name, { label = fn }]
    ]
  }

  dashboard_rows = [
    [
      { title = "API requests and errors", stat = "Sum", metrics = [
        concat(["AWS/ApiGateway", "Count"], local.api_dims),
        concat(["AWS/ApiGateway", "4XXError"], local.api_dims),
        concat(["AWS/ApiGateway", "5XXError"], local.api_dims),
      ] },
      { title = "API latency p99 (ms)", stat = "p99", metrics = [
        concat(["AWS/ApiGateway", "Latency"], local.api_dims),
        concat(["AWS/ApiGateway", "IntegrationLatency"], local.api_dims),
      ] },
      { title = "WAF blocked requests", stat = "Sum", metrics = [
        ["AWS/WAFV2", "BlockedRequests", "WebACL", var.waf_acl_name, "Region", local.region, "Rule", "ALL"],
      ] },
    ],
    [
      { title = "Function invocations", stat = "Sum", metrics = local.fn_metric["Invocations"] },
      { title = "Function errors and throttles", stat = "Sum", metrics = concat(local.fn_metric["Errors"], local.fn_metric["Throttles"]) },
      { title = "Function duration p99 (ms)", stat = "p99", metrics = local.fn_metric["Duration"] },
    ],
    [
      { title = "Orders queue", stat = "Sum", metrics = [
        ["AWS/SQS", "NumberOfMessagesSent", "QueueName", var.queue_name],
        ["AWS/SQS", "NumberOfMessagesDeleted", "QueueName", var.queue_name],
      ] },
      { title = "Oldest message age (s)", stat = "Maximum", metrics = [
        ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", var.queue_name],
      ] },
      { title = "Dead-letter queues", stat = "Maximum", metrics = [
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.dlq_name],
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.async_failure_dlq_name],
      ] },
    ],
    [
      { title = "Proxy connections", stat = "Maximum", metrics = [
        concat(["AWS/RDS", "ClientConnections"], local.proxy_dims),
        concat(["AWS/RDS", "DatabaseConnections"], local.proxy_dims),
        concat(["AWS/RDS", "DatabaseConnectionsCurrentlySessionPinned"], local.proxy_dims),
      ] },
      { title = "Aurora CPU (%) and capacity (ACU)", stat = "Average", metrics = [
        concat(["AWS/RDS", "CPUUtilization"], local.rds_dims),
        concat(["AWS/RDS", "ServerlessDatabaseCapacity"], local.rds_dims, [{ yAxis = "right" }]),
      ] },
      { title = "Aurora connections and commit latency", stat = "Average", metrics = [
        concat(["AWS/RDS", "DatabaseConnections"], local.rds_dims),
        concat(["AWS/RDS", "CommitLatency"], local.rds_dims, [{ yAxis = "right" }]),
      ] },
    ],
  ]

  dashboard_widgets = flatten([
    for row, widgets in local.dashboard_rows : [
      for col, w in widgets : {
        type       = "metric"
        x          = col * 8
        y          = row * 6
        width      = 8
        height     = 6
        properties = {
          title   = w.title
          region  = local.region
          view    = "timeSeries"
          stacked = false
          stat    = w.stat
          period  = 300
          metrics = w.metrics
        }
      }
    ]
  ])
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.dashboard_widgets })
}
