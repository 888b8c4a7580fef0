# Least-privilege roles. Workloads get theirs through IRSA, bound to one service account each;
# people get theirs by assuming a role from the company's identity provider.

locals {
  oidc_issuer = trimprefix(aws_eks_cluster.main.identity[0].oidc[0].issuer, "https://")
  secret_arns = "arn:${local.partition}:secretsmanager:${var.region}:${local.account_id}:secret:helio/${var.environment}/*"
}

data "aws_iam_policy_document" "irsa" {
  for_each = {
    app            = ["helio-api", "helio-worker", "helio-jobs"]
    secrets-reader = ["helio-secrets-reader"]
  }
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.eks.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:sub"
      values   = [for sa in each.value : "system:serviceaccount:helio:${sa}"]
    }
  }
}

# The app: its KMS key (envelope encryption of data keys), the documents bucket, and adding
# (never deleting) audit exports.
resource "aws_iam_role" "app" {
  name               = "${local.name}-app"
  assume_role_policy = data.aws_iam_policy_document.irsa["app"].json
}

data "aws_iam_policy_document" "app" {
  statement {
    sid       = "AppKey"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [aws_kms_key.app.arn]
  }
  statement {
    sid       = "Documents"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.documents.arn}/*"]
  }
  statement {
    sid       = "AuditExports"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.audit_exports.arn}/*"]
  }
  statement {
    sid       = "BucketKeyThroughS3"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [aws_kms_key.data.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "app" {
  role   = aws_iam_role.app.id
  policy = data.aws_iam_policy_document.app.json
}

# External Secrets: read this environment's secrets, nothing else.
resource "aws_iam_role" "secrets_reader" {
  name               = "${local.name}-secrets-reader"
  assume_role_policy = data.aws_iam_policy_document.irsa["secrets-reader"].json
}

data "aws_iam_policy_document" "secrets_reader" {
  statement {
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [local.secret_arns]
  }
  statement {
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.data.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "secrets_reader" {
  role   = aws_iam_role.secrets_reader.id
  policy = data.aws_iam_policy_document.secrets_reader.json
}

# People. Engineers: read-only in the cluster (rbac.yaml) and a read-only database user through
# IAM authentication (no password). Break-glass: MFA, one hour, mailed on every assumption
# (audit.tf), the cluster's break-glass group.
data "aws_iam_policy_document" "people_assume" {
  for_each = { engineer = false, break-glass = true }
  statement {
    actions = ["sts:AssumeRole", "sts:SetSourceIdentity"]
    principals {
      type        = "AWS"
      identifiers = var.trusted_principal_arns
    }
    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["true"]
    }
    dynamic "condition" {
      for_each = each.value ? [1] : []
      content {
        test     = "NumericLessThan"
        variable = "aws:MultiFactorAuthAge"
        values   = ["900"]
      }
    }
  }
}

resource "aws_iam_role" "engineer" {
  name                 = "${local.name}-engineer"
  assume_role_policy   = data.aws_iam_policy_document.people_assume["engineer"].json
  max_session_duration = 28800
}

resource "aws_iam_role" "break_glass" {
  name                 = "${local.name}-break-glass"
  assume_role_policy   = data.aws_iam_policy_document.people_assume["break-glass"].json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "engineer" {
  statement {
    sid       = "Cluster"
    actions   = ["eks:DescribeCluster"]
    resources = [aws_eks_cluster.main.arn]
  }
  statement {
    sid       = "ReadOnlyDatabaseUser"
    actions   = ["rds-db:connect"]
    resources = ["arn:${local.partition}:rds-db:${var.region}:${local.account_id}:dbuser:${aws_db_instance.main.resource_id}/engineer_ro"]
  }
}

resource "aws_iam_role_policy" "engineer" {
  role   = aws_iam_role.engineer.id
  policy = data.aws_iam_policy_document.engineer.json
}

resource "aws_iam_role_policy" "break_glass" {
  role   = aws_iam_role.break_glass.id
  policy = data.aws_iam_policy_document.engineer.json
}

# The release pipeline: push the two images, reach the cluster (namespace-scoped, eks.tf).
data "aws_iam_policy_document" "deployer_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = var.deployer_principal_arns
    }
  }
}

resource "aws_iam_role" "deployer" {
  name                 = "${local.name}-deployer"
  assume_role_policy   = data.aws_iam_policy_document.deployer_assume.json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "deployer" {
  statement {
    sid       = "Cluster"
    actions   = ["eks:DescribeCluster"]
    resources = [aws_eks_cluster.main.arn]
  }
  statement {
    sid       = "PushImages"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage", "ecr:DescribeImages"]
    resources = [for repo in aws_ecr_repository.main : repo.arn]
  }
  statement {
    # GetAuthorizationToken has no resource-level permission.
    sid       = "RegistryLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "deployer" {
  role   = aws_iam_role.deployer.id
  policy = data.aws_iam_policy_document.deployer.json
}
