# Signed packages (issue 14): the pipeline uploads dist/bootstrap.zip to the artifact bucket,
# starts an AWS Signer job with this stage's profile, and deploys the signed zip Signer writes
# back. Every function carries the code signing config (serverless.yml reads its ARN from SSM):
# Lambda refuses (prod, Enforce) or logs (dev, Warn) code not signed by this profile.

locals {
  # Signer profile names allow letters, digits and underscores only.
  signing_profile_name = "${replace(var.name, "-", "_")}_lambda"
  artifact_bucket_name = "${var.name}-artifacts-${local.account_id}"
  artifact_bucket_arn  = "arn:${local.partition}:s3:::${local.artifact_bucket_name}"

  # Enforce where customers are; dev only warns, so that a person can still deploy a hand-built
  # zip there while debugging (the warning lands in CloudTrail).
  untrusted_artifact_policy = var.stage == "prod" ? "Enforce" : "Warn"
}

resource "aws_signer_signing_profile" "lambda" {
  name        = local.signing_profile_name
  platform_id = "AWSLambda-SHA384-ECDSA"

  # A signature older than this no longer deploys; rollbacks by hand go to aliases' older
  # versions, which are not re-validated, so two years only bound how old a re-deployed zip may be.
  signature_validity_period {
    value = 24
    type  = "MONTHS"
  }

  tags = var.tags
}

resource "aws_lambda_code_signing_config" "this" {
  description = "${var.name}: only code signed by ${local.signing_profile_name}"

  allowed_publishers {
    signing_profile_version_arns = [aws_signer_signing_profile.lambda.version_arn]
  }

  policies {
    untrusted_artifact_on_deployment = local.untrusted_artifact_policy
  }

  tags = var.tags
}

# Unsigned uploads (unsigned/<sha>.zip) and Signer's output (signed/<job id>.zip). Signer requires
# a versioned source bucket, which the bucket module always is.
module "artifact_key" {
  source = "../kms-key"

  alias                  = "${var.name}-artifacts"
  description            = "Lambda packages of ${var.name} before and after signing"
  via_service_principals = ["s3.${local.region}.amazonaws.com"]

  tags = var.tags
}

module "artifacts" {
  source = "../bucket"

  name                               = local.artifact_bucket_name
  kms_key_arn                        = module.artifact_key.key_arn
  access_logging_enabled             = true
  access_log_bucket                  = var.access_log_bucket
  access_log_prefix                  = "${local.artifact_bucket_name}/"
  expiration_days                    = 180 # a rollback needs the zips of the last few releases only
  noncurrent_version_expiration_days = 30

  tags = var.tags
}

# What serverless.yml and the pipeline read (terraform/ssm.tf publishes the estate's others).
resource "aws_ssm_parameter" "signing" {
  for_each = {
    "signing/code_signing_config_arn" = aws_lambda_code_signing_config.this.arn
    "signing/profile_name"            = aws_signer_signing_profile.lambda.name
    "signing/artifact_bucket"         = module.artifacts.name
  }

  name        = "/orders/${var.stage}/${each.key}"
  description = "Written by Terraform (modules/ci/signing.tf); read by serverless.yml and the deploy pipeline."
  type        = "String"
  value       = each.value

  tags = var.tags
}

# A separate policy, so that the deploy role's signing rights read on their own: this profile
# only, this bucket only, this key only.
data "aws_iam_policy_document" "signing" {
  statement {
    sid       = "SignWithThisProfileOnly"
    actions   = ["signer:StartSigningJob", "signer:GetSigningProfile"]
    resources = [aws_signer_signing_profile.lambda.arn]
  }

  statement {
    sid       = "FollowSigningJobs"
    actions   = ["signer:DescribeSigningJob"]
    resources = ["arn:${local.partition}:signer:${local.region}:${local.account_id}:/signing-jobs/*"]
  }

  statement {
    sid       = "UploadAndFetchPackages"
    actions   = ["s3:PutObject", "s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${local.artifact_bucket_arn}/unsigned/*", "${local.artifact_bucket_arn}/signed/*"]
  }

  statement {
    sid       = "ListPackages"
    actions   = ["s3:ListBucket", "s3:GetBucketVersioning", "s3:GetBucketLocation"]
    resources = [local.artifact_bucket_arn]
  }

  statement {
    sid       = "EncryptPackages"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [module.artifact_key.key_arn]
  }

  statement {
    sid       = "AttachCodeSigningConfig"
    actions   = ["lambda:GetCodeSigningConfig"]
    resources = [aws_lambda_code_signing_config.this.arn]
  }

  statement {
    sid       = "FunctionCodeSigning"
    actions   = ["lambda:PutFunctionCodeSigningConfig", "lambda:DeleteFunctionCodeSigningConfig"]
    resources = ["arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${var.name}-*"]
  }
}

# A managed policy of this account, attached: a role's inline policies share one 10,240-character
# quota, which the deploy policy alone comes close to.
resource "aws_iam_policy" "signing" {
  name        = "${var.name}-sign-packages"
  description = "sign-packages for the ${var.name} GitHub deploy role"
  policy      = data.aws_iam_policy_document.signing.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "signing" {
  role       = aws_iam_role.this.name
  policy_arn = aws_iam_policy.signing.arn
}
