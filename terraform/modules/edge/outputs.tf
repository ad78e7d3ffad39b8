output "domain_name" {
  description = "Custom domain name of the API (serverless.yml maps its stage to it)."
  value       = aws_api_gateway_domain_name.this.domain_name
}

output "certificate_arn" {
  description = "ARN of the validated ACM certificate of the custom domain."
  value       = module.acm.acm_certificate_arn
}

output "waf_acl_arn" {
  description = "ARN of the regional WAFv2 web ACL that serverless.yml associates with the REST API stage."
  value       = aws_wafv2_web_acl.this.arn
}

output "waf_acl_name" {
  description = "Name of the web ACL (CloudWatch dimension WebACL)."
  value       = aws_wafv2_web_acl.this.name
}

output "hosted_zone_id" {
  description = "Id of the hosted zone holding the API record."
  value       = local.zone_id
}
