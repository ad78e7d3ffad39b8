# Aurora PostgreSQL Serverless v2 (writer + reader in another AZ) behind RDS Proxy, with IAM
# authentication end to end: each function logs in to the proxy as its own database user with an
# IAM token over TLS, and the proxy logs in to Aurora as that same user with an IAM token of its
# own role. No function or proxy holds a database password; the master user's password exists
# only in the Secrets Manager secret RDS manages and rotates, which nothing here may read.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  region     = data.aws_region.current.region
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  log_group_arn_prefix = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group"

  master_secret_arn = module.aurora.cluster_master_user_secret[0].secret_arn

  # The database users the proxy may log in as: the migration owner and one application user
  # per function (created with rds_iam by the roles migration, named by the same settings).
  proxy_users = distinct(concat([var.migrator_user], values(var.app_users)))
  # arn:aws:rds-db:<region>:<account>:dbuser:<cluster resource id>/<user>: what the proxy's role
  # presents to Aurora.
  cluster_dbuser_arns = [
    for u in local.proxy_users :
    "arn:${local.partition}:rds-db:${local.region}:${local.account_id}:dbuser:${module.aurora.cluster_resource_id}/${u}"
  ]

  # What each cluster instance sets (rds-aurora 10 takes them per instance).
  instance_settings = {
    publicly_accessible                   = false
    auto_minor_version_upgrade            = true
    performance_insights_enabled          = true
    performance_insights_kms_key_id       = module.key.key_arn
    performance_insights_retention_period = 7
    monitoring_interval                   = 0
  }
  # arn:aws:rds:<region>:<account>:db-proxy:prx-0123456789abcdef -> prx-0123456789abcdef
  proxy_resource_id = element(split(":", module.rds_proxy.proxy_arn), 6)
}

module "key" {
  source = "../kms-key"

  alias       = "${var.name}-database"
  description = "Aurora storage, master secret, Performance Insights and database logs of ${var.name}"

  via_service_principals = [
    "rds.${local.region}.amazonaws.com",
    "secretsmanager.${local.region}.amazonaws.com",
  ]

  log_group_arns = [
    "${local.log_group_arn_prefix}:/aws/rds/cluster/${var.name}/*",
    "${local.log_group_arn_prefix}:/aws/rds/proxy/${var.name}",
  ]

  tags = var.tags
}

module "aurora" {
  source  = "terraform-aws-modules/rds-aurora/aws"
  version = "10.2.0"

  name           = var.name
  engine         = "aurora-postgresql"
  engine_mode    = "provisioned"
  engine_version = var.engine_version
  database_name  = var.database_name
  port           = 5432

  cluster_instance_class = "db.serverless"
  # Since rds-aurora 10, Performance Insights, minor upgrades, monitoring and public access are
  # settings of each instance; both instances take the same (local.instance_settings).
  instances = {
    writer = merge(local.instance_settings, {
      availability_zone = var.azs[0]
      promotion_tier    = 0
    })
    # A reader in another AZ takes over within a minute if the writer's AZ fails (RDS.15).
    # Serverless v2 readers in promotion tiers 0-1 scale with the writer, so the failover target
    # is already sized for the load.
    reader = merge(local.instance_settings, {
      availability_zone = var.azs[1]
      promotion_tier    = 1
    })
  }
  serverlessv2_scaling_configuration = {
    min_capacity = var.min_capacity
    max_capacity = var.max_capacity
  }

  vpc_id                 = var.vpc_id
  create_db_subnet_group = false
  db_subnet_group_name   = var.database_subnet_group_name
  create_security_group  = false
  vpc_security_group_ids = [var.database_security_group_id]

  storage_encrypted                   = true
  kms_key_id                          = module.key.key_arn
  iam_database_authentication_enabled = true

  master_username                                        = var.master_username
  manage_master_user_password                            = true
  master_user_secret_kms_key_id                          = module.key.key_arn
  manage_master_user_password_rotation                   = true
  master_user_password_rotation_automatically_after_days = var.secret_rotation_days

  backup_retention_period      = var.backup_retention_days
  preferred_backup_window      = "02:00-03:00"
  preferred_maintenance_window = "sun:04:00-sun:05:00"
  copy_tags_to_snapshot        = true
  deletion_protection          = var.deletion_protection_enabled
  skip_final_snapshot          = false
  final_snapshot_identifier    = "${var.name}-final"
  apply_immediately            = false

  enabled_cloudwatch_logs_exports        = ["postgresql"]
  create_cloudwatch_log_group            = true
  cloudwatch_log_group_retention_in_days = var.log_retention_days
  cloudwatch_log_group_kms_key_id        = module.key.key_arn

  # Enhanced Monitoring stays off: Performance Insights and the cluster metrics cover what the
  # alarms need, and the monitoring role the module would create is one more principal.
  cluster_monitoring_interval = 0
  create_monitoring_role      = false

  cluster_parameter_group = {
    family      = "aurora-postgresql${split(".", var.engine_version)[0]}"
    description = "${var.name} cluster parameters"
    parameters = [
      # Every connection to the cluster is TLS, the proxy's included; no plain-text login even
      # from inside the VPC.
      { name = "rds.force_ssl", value = "1", apply_method = "immediate" },
      { name = "log_min_duration_statement", value = "1000", apply_method = "immediate" },
      { name = "log_lock_waits", value = "1", apply_method = "immediate" },
      # Slow statements are logged without their bind values: those are customer data.
      { name = "log_parameter_max_length", value = "0", apply_method = "immediate" },
      { name = "log_parameter_max_length_on_error", value = "0", apply_method = "immediate" },
    ]
  }

  tags = var.tags
}

################################################################################
# RDS Proxy (RDS.43 anchor): TLS required, IAM auth required, own role
################################################################################

data "aws_iam_policy_document" "proxy_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["rds.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "${var.name}-rds-proxy"
  description        = "RDS Proxy of ${var.name}: logs in to Aurora with IAM as the listed database users only"
  assume_role_policy = data.aws_iam_policy_document.proxy_assume.json

  tags = var.tags
}

# Written here instead of by the proxy module, whose policy adds secretsmanager:ListSecrets and
# GetRandomPassword on "*" and kms:Decrypt on every key when no key list is given. With end-to-end
# IAM authentication the proxy needs no secret at all: only rds-db:connect to the cluster as the
# migration owner and the application users (never the master user).
data "aws_iam_policy_document" "proxy" {
  statement {
    sid       = "ConnectToClusterAsServiceUsers"
    actions   = ["rds-db:connect"]
    resources = local.cluster_dbuser_arns
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "connect-as-service-users"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.proxy.json
}

module "rds_proxy" {
  source  = "terraform-aws-modules/rds-proxy/aws"
  version = "4.4.0"

  name          = var.name
  engine_family = "POSTGRESQL"
  require_tls   = true
  debug_logging = false

  create_iam_role   = false
  create_iam_policy = false
  role_arn          = aws_iam_role.this.arn

  vpc_subnet_ids         = var.proxy_subnet_ids
  vpc_security_group_ids = [var.proxy_security_group_id]

  # End-to-end IAM authentication (RDS Proxy default_auth_scheme IAM_AUTH): clients present an
  # IAM token for their database user, and the proxy opens its connections to Aurora with IAM as
  # that user. No auth entry and no Secrets Manager secret per user; the module's default entry
  # (SECRETS) is replaced by none.
  default_auth_scheme = "IAM_AUTH"
  auth                = {}

  target_db_cluster     = true
  db_cluster_identifier = module.aurora.cluster_id

  # Below the api timeout (28 s) and the worker timeout (30 s): a saturated pool returns an error
  # the handler can answer with, instead of the function being killed mid-request.
  connection_borrow_timeout    = var.proxy_borrow_timeout_seconds
  max_connections_percent      = var.proxy_max_connections_percent
  max_idle_connections_percent = 50
  idle_client_timeout          = 1800

  manage_log_group            = true
  log_group_retention_in_days = var.log_retention_days
  log_group_kms_key_id        = module.key.key_arn

  tags = var.tags
}
