terraform {
  # 1.10: S3 backend state locking with use_lockfile, without a DynamoDB table.
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # The pinned community modules (vpc 5.21, rds-aurora 9.16, rds-proxy 3.2, acm 5.2) are the
      # newest releases of their AWS-provider-5 majors; moving to provider 6 means moving them
      # together to vpc 6, rds-aurora 10, rds-proxy 4 and acm 6.
      version               = ">= 5.100, < 6.0"
      configuration_aliases = [aws.us_east_1]
    }
  }
}
