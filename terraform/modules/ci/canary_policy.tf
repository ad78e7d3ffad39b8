# Canary deploys (issue 14): what `serverless deploy` needs beyond deploy_policy.tf once the
# stack holds a CodeDeploy application, deployment groups, their role and the canary alarms
# (serverless.yml, serverless-plugin-canary-deployments). CloudFormation starts the CodeDeploy
# deployment of an alias with the caller's rights. Names are the stack's: orders-<stage>-*.

locals {
  arn_codedeploy = "arn:${local.partition}:codedeploy:${local.region}:${local.account_id}"
}

data "aws_iam_policy_document" "canary" {
  statement {
    sid = "CodeDeployApplicationAndGroups"
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
    actions   = ["cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource"]
    resources = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${var.name}-*"]
  }

  statement {
    sid       = "Aliases"
    actions   = ["lambda:DeleteAlias", "lambda:GetAlias"]
    resources = ["arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${var.name}-*:*"]
  }
}

resource "aws_iam_role_policy" "canary" {
  name   = "deploy-canary"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.canary.json
}
