terraform {
  # 1.10: S3 backend state locking with use_lockfile, without a DynamoDB table; 1.11.1: what
  # rds-aurora 10 requires (write-only arguments).
  required_version = ">= 1.11.1"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Provider 6: the pinned community modules (vpc and vpc-endpoints 6.6.0, rds-aurora 10.2.0,
      # rds-proxy 4.4.0, acm 6.3.0) each require >= 6.28. The offline schema checks use 6.25.0,
      # the newest release @cdktf/provider-aws was generated from (tools/package.json); minor
      # releases only add to the schema, so what is valid there is valid here.
      version               = ">= 6.28, < 7.0"
      configuration_aliases = [aws.us_east_1]
    }
  }
}
