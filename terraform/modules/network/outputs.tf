output "vpc_id" {
  description = "Id of the VPC."
  value       = module.vpc.vpc_id
}

output "private_subnet_ids" {
  description = "Ids of the private subnets (functions, RDS Proxy), one per AZ."
  value       = module.vpc.private_subnets
}

output "database_subnet_group_name" {
  description = "Name of the DB subnet group over the isolated database subnets."
  value       = module.vpc.database_subnet_group_name
}

output "lambda_security_group_id" {
  description = "Security group of the functions: egress to the proxy on 5432 and to the endpoints on 443 only."
  value       = aws_security_group.lambda.id
}

output "proxy_security_group_id" {
  description = "Security group of RDS Proxy: 5432 in from the functions, 5432 out to Aurora."
  value       = aws_security_group.proxy.id
}

output "database_security_group_id" {
  description = "Security group of the Aurora cluster: 5432 in from the proxy only."
  value       = aws_security_group.database.id
}

output "flow_log_key_arn" {
  description = "KMS key encrypting the flow log group."
  value       = module.flow_log_key.key_arn
}
