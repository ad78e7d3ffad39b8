# State of the dev stage. bucket and region are placeholders: replace them, or keep them and pass
# the real values at init (see terraform/README.md):
#   terraform init -backend-config="bucket=<state bucket>" -backend-config="region=<region>"
# The bucket should be versioned, KMS-encrypted and private; use_lockfile locks the state with an
# S3 object (Terraform >= 1.10), so no DynamoDB table is needed.
terraform {
  backend "s3" {
    bucket       = "CHANGE-ME-orders-terraform-state"
    key          = "orders/dev/terraform.tfstate"
    region       = "CHANGE-ME-region"
    encrypt      = true
    use_lockfile = true
  }
}
