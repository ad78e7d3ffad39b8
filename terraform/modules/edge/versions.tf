terraform {
  required_version = ">= 1.11.1"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.28, < 7.0"
      # Route 53 writes query logs only to CloudWatch Logs in us-east-1.
      configuration_aliases = [aws.us_east_1]
    }
  }
}
