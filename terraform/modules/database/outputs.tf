output "cluster_id" {
  description = "Identifier of the Aurora cluster (CloudWatch dimension DBClusterIdentifier)."
  value       = module.aurora.cluster_id
}

output "cluster_arn" {
  description = "ARN of the Aurora cluster."
  value       = module.aurora.cluster_arn
}

output "database_name" {
  description = "Name of the application database."
  value       = var.database_name
}

output "migrator_user" {
  description = "Database user that runs migrate and owns the schema (IAM authentication through the proxy)."
  value       = var.migrator_user
}

output "app_users" {
  description = "Database user of each application function (api, worker, cleanup), IAM authentication through the proxy."
  value       = var.app_users
}

output "master_username" {
  description = "Aurora master user; its password lives only in the RDS-managed secret, and the proxy does not log in as it."
  value       = var.master_username
}

output "master_secret_arn" {
  description = "ARN of the RDS-managed Secrets Manager secret holding the master credentials (read by no function and not by the proxy)."
  value       = local.master_secret_arn
}

output "key_arn" {
  description = "KMS key encrypting the cluster, its secret, Performance Insights and its logs."
  value       = module.key.key_arn
}

output "proxy_name" {
  description = "Name of the RDS Proxy (CloudWatch dimension ProxyName)."
  value       = module.rds_proxy.proxy_id
}

output "proxy_endpoint" {
  description = "Host name of the RDS Proxy default (read/write) endpoint."
  value       = module.rds_proxy.proxy_endpoint
}

output "proxy_resource_id" {
  description = "The prx-... resource id of the proxy, used in rds-db:connect ARNs."
  value       = local.proxy_resource_id
}

output "proxy_arn" {
  description = "ARN of the RDS Proxy."
  value       = module.rds_proxy.proxy_arn
}

output "max_capacity" {
  description = "Maximum Aurora Serverless v2 capacity (ACUs), for the capacity alarm."
  value       = var.max_capacity
}
