# VPC over three AZs with private subnets (functions, RDS Proxy, interface endpoints) and isolated
# database subnets. No public subnets, no internet gateway, no NAT: the functions reach AWS only
# through the VPC endpoints below.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  region     = data.aws_region.current.region
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  database_acl_inbound = [for i, cidr in var.private_subnet_cidrs : {
    rule_number = 100 + i
    rule_action = "allow"
    protocol    = "tcp"
    from_port   = 5432
    to_port     = 5432
    cidr_block  = cidr
  }]
  # Network ACLs are stateless: answers to the proxy leave on its ephemeral ports.
  database_acl_outbound = [for i, cidr in var.private_subnet_cidrs : {
    rule_number = 100 + i
    rule_action = "allow"
    protocol    = "tcp"
    from_port   = 1024
    to_port     = 65535
    cidr_block  = cidr
  }]

  flow_log_group_name = "/aws/vpc-flow-log/${var.name}"
  flow_log_group_arn  = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.flow_log_group_name}"
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "6.6.0"

  name = var.name
  cidr = var.cidr
  azs  = var.azs

  private_subnets  = var.private_subnet_cidrs
  database_subnets = var.database_subnet_cidrs

  # Isolated: the database subnets get their own route table with only the local route.
  create_database_subnet_group           = true
  create_database_subnet_route_table     = true
  create_database_internet_gateway_route = false
  create_database_nat_gateway_route      = false

  # Defence in depth below the security groups: the database subnets talk PostgreSQL with the
  # private subnets (where RDS Proxy lives) and nothing else.
  database_dedicated_network_acl = true
  database_inbound_acl_rules     = local.database_acl_inbound
  database_outbound_acl_rules    = local.database_acl_outbound

  create_igw              = false
  enable_nat_gateway      = false
  map_public_ip_on_launch = false

  enable_dns_hostnames = true
  enable_dns_support   = true

  # The default security group is adopted and left without any rule (CKV2_AWS_12, EC2.2).
  manage_default_security_group  = true
  default_security_group_ingress = []
  default_security_group_egress  = []

  # The module's aws_flow_log writes to the KMS-encrypted group and role below; its own role is
  # not used because it grants logs:* actions on "*".
  enable_flow_log                      = true
  create_flow_log_cloudwatch_log_group = false
  create_flow_log_cloudwatch_iam_role  = false
  flow_log_destination_type            = "cloud-watch-logs"
  flow_log_destination_arn             = aws_cloudwatch_log_group.this.arn
  flow_log_cloudwatch_iam_role_arn     = aws_iam_role.this.arn
  flow_log_traffic_type                = "ALL"
  flow_log_max_aggregation_interval    = 60

  tags = var.tags
}

################################################################################
# Flow logs (CKV2_AWS_11, EC2.6): KMS-encrypted group with retention, role scoped to it
################################################################################

module "flow_log_key" {
  source = "../kms-key"

  alias       = "${var.name}-flow-logs"
  description = "VPC flow logs of ${var.name}"

  log_group_arns = [local.flow_log_group_arn]

  tags = var.tags
}

resource "aws_cloudwatch_log_group" "this" {
  name              = local.flow_log_group_name
  retention_in_days = var.flow_log_retention_days
  kms_key_id        = module.flow_log_key.key_arn

  tags = var.tags
}

data "aws_iam_policy_document" "flow_log_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }

    # Confused-deputy guard: only flow logs of this account may use the role.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:vpc-flow-log/*"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "${var.name}-vpc-flow-log"
  assume_role_policy = data.aws_iam_policy_document.flow_log_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "flow_log" {
  statement {
    sid       = "WriteFlowLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  statement {
    sid       = "FindFlowLogGroup"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "write-flow-log-group"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.flow_log.json
}
