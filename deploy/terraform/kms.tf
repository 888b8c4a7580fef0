# Customer-managed keys, each for one purpose, all rotated yearly by KMS.
#   app  : the key-encryption key of the app's envelope encryption (HELIO_KMS_KEY_ID); only the
#          app's IRSA role may use it (iam.tf)
#   eks  : envelope encryption of Kubernetes Secrets in etcd
#   data : RDS, ElastiCache, S3, Secrets Manager, ECR, EBS
#   logs : CloudWatch Logs, CloudTrail, WAF logs, VPC flow logs

data "aws_iam_policy_document" "key_admin" {
  # checkov:skip=CKV_AWS_109:A key policy's Resource "*" is the key itself; the account root statement keeps the key manageable, and use is granted per role by IAM policies.
  # checkov:skip=CKV_AWS_111:A key policy's Resource "*" is the key itself (see CKV_AWS_109).
  # checkov:skip=CKV_AWS_356:In a key policy "*" can only mean the key the policy is attached to.
  # The account administers every key (without this a key can become unmanageable); use of a
  # key is granted by the IAM policies of the roles that need it.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }
}

data "aws_iam_policy_document" "logs_key" {
  # checkov:skip=CKV_AWS_111:A key policy's Resource "*" is the key itself; each service statement is bound to this account's log groups or trails by its encryption-context condition.
  # checkov:skip=CKV_AWS_356:In a key policy "*" can only mean the key the policy is attached to.
  source_policy_documents = [data.aws_iam_policy_document.key_admin.json]
  statement {
    sid       = "CloudWatchLogs"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:*"]
    }
  }
  statement {
    sid       = "CloudTrail"
    actions   = ["kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:cloudtrail:arn"
      values   = ["arn:${local.partition}:cloudtrail:*:${local.account_id}:trail/*"]
    }
  }
  statement {
    sid       = "SnsForAlarms"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com", "cloudwatch.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "app" {
  description             = "${local.name}: key-encryption key of the app's data keys"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key_admin.json
}

resource "aws_kms_alias" "app" {
  name          = "alias/${local.name}-app"
  target_key_id = aws_kms_key.app.key_id
}

resource "aws_kms_key" "eks" {
  description             = "${local.name}: Kubernetes Secrets envelope encryption"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key_admin.json
}

resource "aws_kms_key" "data" {
  description             = "${local.name}: RDS, ElastiCache, S3, Secrets Manager, ECR, EBS"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key_admin.json
}

resource "aws_kms_alias" "data" {
  name          = "alias/${local.name}-data"
  target_key_id = aws_kms_key.data.key_id
}

resource "aws_kms_key" "logs" {
  description             = "${local.name}: CloudWatch Logs, CloudTrail, WAF and flow logs"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.logs_key.json
}
