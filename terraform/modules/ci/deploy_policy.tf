# What `serverless deploy` of this stage needs, scoped to the names the stack uses
# (orders-<stage>-...). Terraform applies are not done with this role.

locals {
  arn_lambda = "arn:${local.partition}:lambda:${local.region}:${local.account_id}"
  arn_apigw  = "arn:${local.partition}:apigateway:${local.region}:"
  arn_logs   = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group"
  functions  = "${local.arn_lambda}:function:${var.name}-*"
  # The functions' roles by exact name: a pattern such as role/${var.name}-* would also match this
  # deploy role (which could then rewrite its own permissions), the proxy's, the flow-log and the
  # API Gateway logging roles.
  function_role_arns = [for n in var.function_role_names : "arn:${local.partition}:iam::${local.account_id}:role/${n}"]
}

data "aws_iam_policy_document" "deploy" {
  statement {
    sid     = "CloudFormationStack"
    actions = [
      "cloudformation:CreateChangeSet",
      "cloudformation:CreateStack",
      "cloudformation:DeleteChangeSet",
      "cloudformation:DescribeChangeSet",
      "cloudformation:DescribeStackEvents",
      "cloudformation:DescribeStackResource",
      "cloudformation:DescribeStackResources",
      "cloudformation:DescribeStacks",
      "cloudformation:ExecuteChangeSet",
      "cloudformation:GetTemplate",
      "cloudformation:ListStackResources",
      "cloudformation:UpdateStack",
    ]
    resources = ["arn:${local.partition}:cloudformation:${local.region}:${local.account_id}:stack/${var.name}/*"]
  }

  # ValidateTemplate acts on a template, not a resource: IAM accepts only "*" for it.
  statement {
    sid       = "CloudFormationValidateTemplate"
    actions   = ["cloudformation:ValidateTemplate"]
    # iac-allow: CKV_AWS_355 cloudformation:ValidateTemplate acts on a template and takes no resource
    resources = ["*"]
  }

  statement {
    sid     = "DeploymentBucket"
    actions = [
      "s3:CreateBucket",
      "s3:DeleteObject",
      "s3:GetBucketLocation",
      "s3:GetBucketPolicy",
      "s3:GetBucketPublicAccessBlock",
      "s3:GetBucketVersioning",
      "s3:GetEncryptionConfiguration",
      "s3:GetObject",
      "s3:ListBucket",
      "s3:ListBucketVersions",
      "s3:PutBucketPolicy",
      "s3:PutBucketPublicAccessBlock",
      "s3:PutBucketTagging",
      "s3:PutBucketVersioning",
      "s3:PutEncryptionConfiguration",
      "s3:PutObject",
    ]
    resources = [
      "arn:${local.partition}:s3:::${var.name}-serverlessdeploymentbucket-*",
      "arn:${local.partition}:s3:::${var.name}-serverlessdeploymentbucket-*/*",
    ]
  }

  statement {
    sid     = "Functions"
    actions = [
      "lambda:AddPermission",
      "lambda:CreateAlias",
      "lambda:CreateFunction",
      "lambda:DeleteFunction",
      "lambda:DeleteFunctionConcurrency",
      "lambda:DeleteFunctionEventInvokeConfig",
      "lambda:GetFunction",
      "lambda:GetFunctionCodeSigningConfig",
      "lambda:GetFunctionConfiguration",
      "lambda:GetFunctionEventInvokeConfig",
      "lambda:InvokeFunction",
      "lambda:GetPolicy",
      "lambda:GetRuntimeManagementConfig",
      "lambda:ListTags",
      "lambda:ListVersionsByFunction",
      "lambda:PublishVersion",
      "lambda:PutFunctionConcurrency",
      "lambda:PutFunctionEventInvokeConfig",
      "lambda:RemovePermission",
      "lambda:TagResource",
      "lambda:UntagResource",
      "lambda:UpdateAlias",
      "lambda:UpdateFunctionCode",
      "lambda:UpdateFunctionConfiguration",
      "lambda:UpdateFunctionEventInvokeConfig",
    ]
    resources = [local.functions, "${local.functions}:*"]
  }

  # Event source mappings are named by a UUID that exists only after creation, and
  # CreateEventSourceMapping takes no resource; the function they target is pinned instead.
  statement {
    sid     = "QueueEventSourceMapping"
    actions = [
      "lambda:CreateEventSourceMapping",
      "lambda:DeleteEventSourceMapping",
      "lambda:GetEventSourceMapping",
      "lambda:UpdateEventSourceMapping",
    ]
    # iac-allow: CKV_AWS_355 event source mapping ids exist only after creation; pinned by lambda:FunctionArn below
    resources = ["*"]

    condition {
      test     = "ArnLike"
      variable = "lambda:FunctionArn"
      values   = [local.functions]
    }
  }

  # Listing mappings takes no resource and no function condition.
  statement {
    sid       = "ListEventSourceMappings"
    actions   = ["lambda:ListEventSourceMappings"]
    # iac-allow: CKV_AWS_355 lambda:ListEventSourceMappings supports no resource-level permission
    resources = ["*"]
  }

  statement {
    sid     = "FunctionRoles"
    actions = [
      "iam:CreateRole",
      "iam:DeleteRole",
      "iam:DeleteRolePolicy",
      "iam:GetRole",
      "iam:GetRolePolicy",
      "iam:ListAttachedRolePolicies",
      "iam:ListRolePolicies",
      "iam:PutRolePolicy",
      "iam:TagRole",
      "iam:UntagRole",
      "iam:UpdateAssumeRolePolicy",
    ]
    resources = local.function_role_arns
  }

  statement {
    sid       = "PassFunctionRolesToLambda"
    actions   = ["iam:PassRole"]
    resources = local.function_role_arns

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["lambda.amazonaws.com"]
    }
  }

  # REST API, key and usage plan ids are generated by API Gateway at creation, so they can be
  # scoped only to the collection; the domain is pinned by name.
  statement {
    sid       = "RestApi"
    actions   = ["apigateway:DELETE", "apigateway:GET", "apigateway:PATCH", "apigateway:POST", "apigateway:PUT"]
    resources = [
      "${local.arn_apigw}:/restapis",
      "${local.arn_apigw}:/restapis/*",
      "${local.arn_apigw}:/apikeys",
      "${local.arn_apigw}:/apikeys/*",
      "${local.arn_apigw}:/usageplans",
      "${local.arn_apigw}:/usageplans/*",
      "${local.arn_apigw}:/tags/*",
      "${local.arn_apigw}:/domainnames/${var.domain_name}",
      "${local.arn_apigw}:/domainnames/${var.domain_name}/basepathmappings",
      "${local.arn_apigw}:/domainnames/${var.domain_name}/basepathmappings/*",
    ]
  }

  statement {
    sid       = "AssociateWebAcl"
    actions   = ["wafv2:AssociateWebACL", "wafv2:DisassociateWebACL", "wafv2:GetWebACL", "wafv2:GetWebACLForResource", "wafv2:ListResourcesForWebACL"]
    resources = [var.waf_acl_arn, "${local.arn_apigw}:/restapis/*/stages/*"]
  }

  statement {
    sid       = "StageWebAcl"
    actions   = ["apigateway:SetWebACL"]
    resources = ["${local.arn_apigw}:/restapis/*/stages/*"]
  }

  statement {
    sid     = "Schedules"
    actions = [
      "events:DeleteRule",
      "events:DescribeRule",
      "events:ListTargetsByRule",
      "events:PutRule",
      "events:PutTargets",
      "events:RemoveTargets",
      "events:TagResource",
      "events:UntagResource",
    ]
    resources = ["arn:${local.partition}:events:${local.region}:${local.account_id}:rule/${var.name}-*"]
  }

  statement {
    # /aws/api-gateway/orders-<stage>-access, encrypted with the lambda key
    sid     = "ApiAccessLogGroup"
    actions = [
      "logs:AssociateKmsKey",
      "logs:CreateLogGroup",
      "logs:DeleteLogGroup",
      "logs:DisassociateKmsKey",
      "logs:ListTagsForResource",
      "logs:PutRetentionPolicy",
      "logs:TagResource",
      "logs:UntagResource",
    ]
    resources = ["${local.arn_logs}:/aws/api-gateway/${var.name}*"]
  }

  statement {
    sid       = "DescribeLogGroups"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["${local.arn_logs}:*"]
  }

  statement {
    sid       = "ReadStageParameters"
    actions   = ["ssm:GetParameter", "ssm:GetParameters"]
    resources = ["arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/orders/${var.stage}/*"]
  }

  statement {
    sid       = "EncryptFunctionEnvironment"
    actions   = ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt"]
    resources = [var.lambda_key_arn]
  }

  # Lambda checks the VPC configuration with the caller's rights; EC2 Describe* actions support
  # no resource-level permissions, so "*" is the only value IAM accepts.
  statement {
    sid       = "DescribeVpcForFunctions"
    actions   = ["ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"]
    # iac-allow: CKV_AWS_355 ec2:Describe* support no resource-level permission
    resources = ["*"]
  }
}
