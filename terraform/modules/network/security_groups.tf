# Security groups chained functions -> proxy -> Aurora on 5432 only, and functions -> endpoints on
# 443. No group allows 0.0.0.0/0 in or out; a group without egress rules sends nothing (Terraform
# removes the allow-all egress AWS adds to new groups).

resource "aws_security_group" "lambda" {
  name        = "${var.name}-lambda"
  description = "Functions of ${var.name}: no ingress; egress to RDS Proxy and the VPC endpoints only"
  vpc_id      = module.vpc.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-lambda" })
}

resource "aws_security_group" "proxy" {
  name        = "${var.name}-rds-proxy"
  description = "RDS Proxy of ${var.name}: PostgreSQL from the functions, to Aurora"
  vpc_id      = module.vpc.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-rds-proxy" })
}

resource "aws_security_group" "database" {
  name        = "${var.name}-aurora"
  description = "Aurora cluster of ${var.name}: PostgreSQL from RDS Proxy only"
  vpc_id      = module.vpc.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-aurora" })
}

resource "aws_security_group" "endpoints" {
  name        = "${var.name}-vpc-endpoints"
  description = "Interface VPC endpoints of ${var.name}: HTTPS from the functions"
  vpc_id      = module.vpc.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-vpc-endpoints" })
}

locals {
  # Every rule of the chain, one line each: group, direction, port, peer (a group or the S3
  # prefix list), description.
  security_group_rules = {
    lambda_to_proxy       = { sg = aws_security_group.lambda.id, egress = true, port = 5432, peer_sg = aws_security_group.proxy.id, description = "PostgreSQL to RDS Proxy" }
    lambda_to_endpoints   = { sg = aws_security_group.lambda.id, egress = true, port = 443, peer_sg = aws_security_group.endpoints.id, description = "HTTPS to the interface endpoints (SQS)" }
    lambda_to_s3          = { sg = aws_security_group.lambda.id, egress = true, port = 443, peer_sg = null, description = "HTTPS to S3 through the gateway endpoint" }
    proxy_from_lambda     = { sg = aws_security_group.proxy.id, egress = false, port = 5432, peer_sg = aws_security_group.lambda.id, description = "PostgreSQL from the functions" }
    proxy_to_database     = { sg = aws_security_group.proxy.id, egress = true, port = 5432, peer_sg = aws_security_group.database.id, description = "PostgreSQL to the Aurora cluster" }
    database_from_proxy   = { sg = aws_security_group.database.id, egress = false, port = 5432, peer_sg = aws_security_group.proxy.id, description = "PostgreSQL from RDS Proxy" }
    endpoints_from_lambda = { sg = aws_security_group.endpoints.id, egress = false, port = 443, peer_sg = aws_security_group.lambda.id, description = "HTTPS from the functions" }
  }
  s3_prefix_list_id = module.vpc_endpoints.endpoints["s3"].prefix_list_id
}

resource "aws_vpc_security_group_egress_rule" "this" {
  for_each = { for k, r in local.security_group_rules : k => r if r.egress }

  security_group_id            = each.value.sg
  description                  = each.value.description
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  referenced_security_group_id = each.value.peer_sg
  prefix_list_id               = each.value.peer_sg == null ? local.s3_prefix_list_id : null

  tags = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "this" {
  for_each = { for k, r in local.security_group_rules : k => r if !r.egress }

  security_group_id            = each.value.sg
  description                  = each.value.description
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  referenced_security_group_id = each.value.peer_sg

  tags = var.tags
}
