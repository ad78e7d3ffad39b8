# GitHub Actions deploys through OpenID Connect: no IAM user, no long-lived key. The role's trust
# is limited to one repository and one environment (or branch); its policy to this stage's
# resources.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  region     = data.aws_region.current.region
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  oidc_host         = "token.actions.githubusercontent.com"
  oidc_provider_arn = var.oidc_provider_create_enabled ? aws_iam_openid_connect_provider.github[0].arn : var.oidc_provider_arn

  subjects = compact([
    "repo:${var.github_repository}:environment:${var.github_environment}",
    var.github_branch == null ? "" : "repo:${var.github_repository}:ref:refs/heads/${var.github_branch}",
  ])
}

resource "aws_iam_openid_connect_provider" "github" {
  count = var.oidc_provider_create_enabled ? 1 : 0

  url            = "https://${local.oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
  # IAM verifies GitHub's tokens against its own trusted CA store; these published thumbprints are
  # only what the API still expects to be present.
  thumbprint_list = [
    "6938fd4d98bab03faadb97b34396831e3780aea1",
    "1c58a3a8518e8759bf075b76b750d4f2df264fcd",
  ]

  tags = var.tags
}

data "aws_iam_policy_document" "deploy_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    # Exact subjects, no wildcard: a fork, another branch or another environment cannot assume it.
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = local.subjects
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = "${var.name}-github-deploy"
  description          = "GitHub Actions deploys the ${var.name} serverless stack"
  assume_role_policy   = data.aws_iam_policy_document.deploy_assume.json
  max_session_duration = 3600

  tags = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "deploy-serverless-stack"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.deploy.json
}
