# DNS, certificate, custom domain and WAF of the API. The REST API and its stage belong to the
# serverless stack, which also makes the WAF association and the base path mapping from the ARN
# and domain name published in SSM: one owner per resource, one apply per tool.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  region     = data.aws_region.current.region
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  zone_id   = var.hosted_zone_create_enabled ? aws_route53_zone.this[0].zone_id : var.hosted_zone_id
  zone_name = var.hosted_zone_create_enabled ? aws_route53_zone.this[0].name : data.aws_route53_zone.existing[0].name
}

################################################################################
# Hosted zone and query logging
################################################################################

resource "aws_route53_zone" "this" {
  count = var.hosted_zone_create_enabled ? 1 : 0

  name    = var.hosted_zone_name
  comment = "${var.name}: public zone of the API"

  tags = var.tags
}

data "aws_route53_zone" "existing" {
  count = var.hosted_zone_create_enabled ? 0 : 1

  zone_id = var.hosted_zone_id
}

# DNSSEC signing (CKV2_AWS_38) is not enabled here: it needs an asymmetric KMS key in us-east-1
# and a DS record at the parent zone's registrar, a step outside this account; enable it with the
# zone owner when the parent supports it.

module "query_log_key" {
  source = "../kms-key"
  count  = var.query_logging_enabled ? 1 : 0

  providers = {
    aws = aws.us_east_1
  }

  alias       = "${var.name}-dns-query-logs"
  description = "Route 53 query logs of ${var.name} (us-east-1)"

  log_group_arns = ["arn:${local.partition}:logs:us-east-1:${local.account_id}:log-group:/aws/route53/*"]

  tags = var.tags
}

resource "aws_cloudwatch_log_group" "query_log" {
  count    = var.query_logging_enabled ? 1 : 0
  provider = aws.us_east_1

  name              = "/aws/route53/${trimsuffix(local.zone_name, ".")}"
  retention_in_days = var.log_retention_days
  kms_key_id        = module.query_log_key[0].key_arn

  tags = var.tags
}

data "aws_iam_policy_document" "query_log" {
  count = var.query_logging_enabled ? 1 : 0

  statement {
    sid       = "Route53WritesQueryLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.query_log[0].arn}:*"]

    principals {
      type        = "Service"
      identifiers = ["route53.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_cloudwatch_log_resource_policy" "query_log" {
  count    = var.query_logging_enabled ? 1 : 0
  provider = aws.us_east_1

  policy_name     = "${var.name}-route53-query-logs"
  policy_document = data.aws_iam_policy_document.query_log[0].json
}

resource "aws_route53_query_log" "this" {
  count = var.query_logging_enabled ? 1 : 0

  zone_id                  = local.zone_id
  cloudwatch_log_group_arn = aws_cloudwatch_log_group.query_log[0].arn

  depends_on = [aws_cloudwatch_log_resource_policy.query_log]
}

################################################################################
# Certificate (ACM.1/.2, CKV_AWS_233/234) and custom domain (CKV_AWS_206)
################################################################################

# The module's aws_acm_certificate has lifecycle create_before_destroy = true, so a replaced
# certificate is issued and validated before the old one is released; DNS validation lets ACM
# renew it without anyone acting.
module "acm" {
  source  = "terraform-aws-modules/acm/aws"
  version = "6.3.0"

  domain_name                                 = var.domain_name
  zone_id                                     = local.zone_id
  validation_method                           = "DNS"
  wait_for_validation                         = true
  certificate_transparency_logging_preference = true
  key_algorithm                               = "RSA_2048"

  tags = var.tags
}

resource "aws_api_gateway_domain_name" "this" {
  domain_name              = var.domain_name
  regional_certificate_arn = module.acm.acm_certificate_arn
  security_policy          = "TLS_1_2"

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  tags = var.tags
}

# IPv4 only: the regional domain is not dual-stack, so an AAAA alias would have no target.
resource "aws_route53_record" "api" {
  zone_id = local.zone_id
  name    = var.domain_name
  type    = "A"

  alias {
    name                   = aws_api_gateway_domain_name.this.regional_domain_name
    zone_id                = aws_api_gateway_domain_name.this.regional_zone_id
    evaluate_target_health = false
  }
}
