# Canary deploys (issue 14): what `serverless deploy` needs beyond deploy_policy.tf once the
# stack holds a CodeDeploy application, deployment groups, their role and the canary alarms
# (serverless.yml, serverless-plugin-canary-deployments). CloudFormation starts the CodeDeploy
# deployment of an alias with the caller's rights. Names are the stack's: orders-<stage>-*.

locals {
  arn_codedeploy = "arn:${local.partition}:codedeploy:${local.region}:${local.account_id}"
}

data "aws_iam_policy_document" "canary" {
  statement {
    sid     = "CodeDeployApplicationAndGroups"
    actions = [
      "codedeploy:CreateApplication",
      "codedeploy:CreateDeployment",
      "codedeploy:CreateDeploymentGroup",
      "codedeploy:DeleteApplication",
      "codedeploy:DeleteDeploymentGroup",
      "codedeploy:GetApplication",
      "codedeploy:GetApplicationRevision",
      "codedeploy:GetDeployment",
      "codedeploy:GetDeploymentGroup",
      "codedeploy:ListTagsForResource",
      "codedeploy:RegisterApplicationRevision",
      "codedeploy:StopDeployment",
      "codedeploy:TagResource",
      "codedeploy:UntagResource",
      "codedeploy:UpdateDeploymentGroup",
    ]
    resources = [
      "${local.arn_codedeploy}:application:${var.name}-*",
      "${local.arn_codedeploy}:deploymentgroup:${var.name}-*/*",
    ]
  }

  statement {
    sid       = "CodeDeployLambdaConfigs"
    actions   = ["codedeploy:GetDeploymentConfig"]
    resources = ["${local.arn_codedeploy}:deploymentconfig:CodeDeployDefault.Lambda*"]
  }

  statement {
    sid       = "PassCodeDeployRole"
    actions   = ["iam:PassRole"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${var.name}-codedeploy"]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["codedeploy.amazonaws.com"]
    }
  }

  statement {
    sid       = "CanaryAlarms"
    actions   = ["cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource", "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource"]
    resources = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${var.name}-*"]
  }

  statement {
    sid       = "Aliases"
    actions   = ["lambda:DeleteAlias", "lambda:GetAlias", "lambda:ListAliases"]
    resources = ["arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${var.name}-*", "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${var.name}-*:*"]
  }
}

# A managed policy of this account, attached: a role's inline policies share one 10,240-character
# quota, which the deploy policy alone comes close to.
resource "aws_iam_policy" "canary" {
  name        = "${var.name}-deploy-canary"
  description = "deploy-canary for the ${var.name} GitHub deploy role"
  policy      = data.aws_iam_policy_document.canary.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "canary" {
  role       = aws_iam_role.this.name
  policy_arn = aws_iam_policy.canary.arn
}
