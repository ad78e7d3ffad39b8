# What serverless.yml reads, as ${ssm:/orders/${sls:stage}/...}. Names are fixed by DESIGN and the
# serverless side; none of these values is a secret (no function or proxy uses a database password:
# the master password lives only in the Secrets Manager secret RDS manages, and no parameter
# points anything at it).

# db/migrator_user and db/<fn>_user: each function's own database user (IAM authentication through
# the proxy, end to end); serverless.yml gives each function its own (packaging/infra/ssm.yml).
locals {
  ssm_prefix = "/${local.service}/${var.stage}"

  ssm_strings = {
    "network/lambda_security_group_id" = module.network.lambda_security_group_id
    "db/proxy_endpoint"                = module.database.proxy_endpoint
    "db/proxy_resource_id"             = module.database.proxy_resource_id
    "db/name"                          = module.database.database_name
    "db/migrator_user"                 = module.database.migrator_user
    "db/api_user"                      = module.database.app_users["api"]
    "db/worker_user"                   = module.database.app_users["worker"]
    "db/cleanup_user"                  = module.database.app_users["cleanup"]
    "queue/url"                        = module.messaging.queue_url
    "queue/arn"                        = module.messaging.queue_arn
    "queue/dlq_arn"                    = module.messaging.dlq_arn
    "queue/async_failure_dlq_arn"      = module.messaging.async_failure_dlq_arn
    "archive/bucket_name"              = module.storage.archive_bucket_name
    "archive/bucket_arn"               = module.storage.archive_bucket_arn
    "kms/queue_key_arn"                = module.messaging.key_arn
    "kms/archive_key_arn"              = module.storage.key_arn
    "kms/lambda_key_arn"               = module.observability.lambda_key_arn
    "edge/domain_name"                 = module.edge.domain_name
    "edge/certificate_arn"             = module.edge.certificate_arn
    "edge/waf_acl_arn"                 = module.edge.waf_acl_arn
    "observability/alarm_topic_arn"    = module.observability.alarm_topic_arn
  }
}

resource "aws_ssm_parameter" "string" {
  for_each = local.ssm_strings

  name        = "${local.ssm_prefix}/${each.key}"
  description = "Published by Terraform for serverless.yml (${local.name})"
  type        = "String"
  value       = each.value

  tags = local.tags
}

resource "aws_ssm_parameter" "private_subnet_ids" {
  name        = "${local.ssm_prefix}/network/private_subnet_ids"
  description = "Published by Terraform for serverless.yml (${local.name})"
  type        = "StringList"
  value       = join(",", module.network.private_subnet_ids)

  tags = local.tags
}
