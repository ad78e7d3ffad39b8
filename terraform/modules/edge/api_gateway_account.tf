# REST API access and execution logs are written by API Gateway with a role set once per account
# and region. Terraform owns it so that serverless.yml can declare it managed externally
# (provider.logs.restApi.roleManagedExternally) and needs no IAM rights of that reach.

data "aws_iam_policy_document" "api_gateway_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "api_gateway_logs" {
  count = var.api_gateway_account_enabled ? 1 : 0

  name               = "${var.name}-apigateway-logs"
  description        = "API Gateway writes REST API logs of this account and region"
  assume_role_policy = data.aws_iam_policy_document.api_gateway_assume.json

  tags = var.tags
}

# The managed AmazonAPIGatewayPushToCloudWatchLogs policy allows every log group ("*"); this one
# allows the execution-log groups API Gateway names itself and the /aws/api-gateway/ access logs.
data "aws_iam_policy_document" "api_gateway_logs" {
  statement {
    sid     = "WriteApiLogs"
    actions = [
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:DescribeLogStreams",
      "logs:PutLogEvents",
    ]
    resources = [
      "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:API-Gateway-Execution-Logs_*",
      "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/api-gateway/*",
    ]
  }

  statement {
    sid       = "FindLogGroups"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
  }
}

resource "aws_iam_role_policy" "api_gateway_logs" {
  count = var.api_gateway_account_enabled ? 1 : 0

  name   = "write-api-logs"
  role   = aws_iam_role.api_gateway_logs[0].id
  policy = data.aws_iam_policy_document.api_gateway_logs.json
}

resource "aws_api_gateway_account" "this" {
  count = var.api_gateway_account_enabled ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.api_gateway_logs[0].arn

  depends_on = [aws_iam_role_policy.api_gateway_logs]
}
