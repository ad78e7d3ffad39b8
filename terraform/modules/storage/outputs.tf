output "archive_bucket_name" {
  description = "Name of the archive bucket."
  value       = module.archive.name
}

output "archive_bucket_arn" {
  description = "ARN of the archive bucket."
  value       = module.archive.arn
}

output "access_log_bucket_name" {
  description = "Name of the bucket receiving S3 server access logs (also used by other buckets of this stage)."
  value       = module.access_logs.name
}

output "key_arn" {
  description = "KMS key encrypting the archive bucket."
  value       = module.key.key_arn
}
