terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 6.0"
      # Route 53 writes query logs only to CloudWatch Logs in us-east-1.
      configuration_aliases = [aws.us_east_1]
    }
  }
}
