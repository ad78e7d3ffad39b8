# The functions call SQS (SendMessage from api and cleanup) and S3 (archive objects) and nothing
# else over the network at run time:
# - RDS Proxy is inside the VPC; the IAM auth token is presigned locally, no call to RDS or STS.
# - Logs and EMF metrics go to stdout; the Lambda service ships them to CloudWatch Logs outside
#   the function's ENI, so no logs or monitoring endpoint is needed.
# - Credentials come from the environment Lambda sets; KMS is called by SQS, S3 and Lambda on the
#   caller's behalf, never by the function itself.
# - The worker's SQS event source mapping is polled by the Lambda service, not from the VPC.
# - X-Ray segments go to the daemon Lambda runs in the sandbox (AWS_XRAY_DAEMON_ADDRESS), which
#   sends them outside the function's ENI.
# An endpoint would be added here if a function started calling another service.

data "aws_iam_policy_document" "sqs_endpoint" {
  # Only this account's principals and this service's queues: the endpoint cannot be used to
  # reach queues of other accounts.
  statement {
    sid     = "ThisServiceQueues"
    actions = [
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:ReceiveMessage",
      "sqs:SendMessage",
    ]
    resources = ["arn:${local.partition}:sqs:${local.region}:${local.account_id}:${var.name}-*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }
}

data "aws_iam_policy_document" "s3_endpoint" {
  statement {
    sid     = "ThisServiceBuckets"
    actions = [
      "s3:AbortMultipartUpload",
      "s3:GetObject",
      "s3:ListBucket",
      "s3:PutObject",
    ]
    resources = [
      "arn:${local.partition}:s3:::${var.name}-*",
      "arn:${local.partition}:s3:::${var.name}-*/*",
    ]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }
}

module "vpc_endpoints" {
  source  = "terraform-aws-modules/vpc/aws//modules/vpc-endpoints"
  version = "6.6.0"

  vpc_id                = module.vpc.vpc_id
  create_security_group = false
  security_group_ids    = [aws_security_group.endpoints.id]

  endpoints = {
    sqs = {
      service             = "sqs"
      private_dns_enabled = true
      subnet_ids          = module.vpc.private_subnets
      policy              = data.aws_iam_policy_document.sqs_endpoint.json
      tags                = { Name = "${var.name}-sqs" }
    }
    s3 = {
      service         = "s3"
      service_type    = "Gateway"
      route_table_ids = module.vpc.private_route_table_ids
      policy          = data.aws_iam_policy_document.s3_endpoint.json
      tags            = { Name = "${var.name}-s3" }
    }
  }

  tags = var.tags
}
