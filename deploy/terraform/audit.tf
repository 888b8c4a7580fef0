# Regular configuration and activity audits: a multi-region CloudTrail (log-file validation,
# KMS, CloudWatch Logs, S3 data events on the documents and audit-export buckets), GuardDuty
# (EKS audit logs and runtime, S3, RDS logins, malware scans), AWS Config recording every
# resource with a conformance of managed rules, and alarms mailed to the security address.

resource "aws_cloudtrail" "main" {
  name                          = local.name
  s3_bucket_name                = aws_s3_bucket.cloudtrail.id
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
  kms_key_id                    = aws_kms_key.logs.arn
  cloud_watch_logs_group_arn    = "${aws_cloudwatch_log_group.cloudtrail.arn}:*"
  cloud_watch_logs_role_arn     = aws_iam_role.cloudtrail.arn
  sns_topic_name                = aws_sns_topic.security.name

  event_selector {
    read_write_type           = "All"
    include_management_events = true
    data_resource {
      type = "AWS::S3::Object"
      values = [
        "${aws_s3_bucket.documents.arn}/",
        "${aws_s3_bucket.audit_exports.arn}/",
      ]
    }
  }
  depends_on = [aws_s3_bucket_policy.cloudtrail]
}

resource "aws_cloudwatch_log_group" "cloudtrail" {
  name              = "/aws/cloudtrail/${local.name}"
  retention_in_days = 400
  kms_key_id        = aws_kms_key.logs.arn
}

data "aws_iam_policy_document" "cloudtrail_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "cloudtrail_logs" {
  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.cloudtrail.arn}:*"]
  }
}

resource "aws_iam_role" "cloudtrail" {
  name               = "${local.name}-cloudtrail"
  assume_role_policy = data.aws_iam_policy_document.cloudtrail_assume.json
}

resource "aws_iam_role_policy" "cloudtrail" {
  role   = aws_iam_role.cloudtrail.id
  policy = data.aws_iam_policy_document.cloudtrail_logs.json
}

resource "aws_sns_topic" "security" {
  name              = "${local.name}-security"
  kms_master_key_id = aws_kms_key.logs.arn
}

resource "aws_sns_topic_subscription" "security_mail" {
  topic_arn = aws_sns_topic.security.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

data "aws_iam_policy_document" "security_topic" {
  statement {
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.security.arn]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com", "events.amazonaws.com", "cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "security" {
  arn    = aws_sns_topic.security.arn
  policy = data.aws_iam_policy_document.security_topic.json
}

resource "aws_guardduty_detector" "main" {
  # checkov:skip=CKV2_AWS_3:This configuration owns the workload account only; organisation-wide GuardDuty is enabled from the organisation's delegated administrator account.
  enable                       = true
  finding_publishing_frequency = "FIFTEEN_MINUTES"
}

resource "aws_guardduty_detector_feature" "main" {
  for_each = toset([
    "S3_DATA_EVENTS",
    "EKS_AUDIT_LOGS",
    "EBS_MALWARE_PROTECTION",
    "RDS_LOGIN_EVENTS",
  ])
  detector_id = aws_guardduty_detector.main.id
  name        = each.key
  status      = "ENABLED"
}

resource "aws_guardduty_detector_feature" "runtime" {
  detector_id = aws_guardduty_detector.main.id
  name        = "RUNTIME_MONITORING"
  status      = "ENABLED"
  additional_configuration {
    name   = "EKS_ADDON_MANAGEMENT"
    status = "ENABLED"
  }
}

# GuardDuty findings of medium severity and above, and every break-glass role assumption,
# are mailed to the security address.
resource "aws_cloudwatch_event_rule" "guardduty" {
  name = "${local.name}-guardduty"
  event_pattern = jsonencode({
    source        = ["aws.guardduty"]
    "detail-type" = ["GuardDuty Finding"]
    detail        = { severity = [{ numeric = [">=", 4] }] }
  })
}

resource "aws_cloudwatch_event_target" "guardduty" {
  rule = aws_cloudwatch_event_rule.guardduty.name
  arn  = aws_sns_topic.security.arn
}

resource "aws_cloudwatch_event_rule" "break_glass" {
  name = "${local.name}-break-glass"
  event_pattern = jsonencode({
    source        = ["aws.sts"]
    "detail-type" = ["AWS API Call via CloudTrail"]
    detail = {
      eventName         = ["AssumeRole"]
      requestParameters = { roleArn = [aws_iam_role.break_glass.arn] }
    }
  })
}

resource "aws_cloudwatch_event_target" "break_glass" {
  rule = aws_cloudwatch_event_rule.break_glass.name
  arn  = aws_sns_topic.security.arn
}

# AWS Config: every resource's configuration recorded, evaluated continuously.
resource "aws_config_configuration_recorder" "main" {
  name     = local.name
  role_arn = aws_iam_role.config.arn
  recording_group {
    all_supported                 = true
    include_global_resource_types = true
  }
}

resource "aws_config_delivery_channel" "main" {
  name           = local.name
  s3_bucket_name = aws_s3_bucket.cloudtrail.id
  s3_key_prefix  = "config"
  s3_kms_key_arn = aws_kms_key.logs.arn
  sns_topic_arn  = aws_sns_topic.security.arn
  depends_on     = [aws_config_configuration_recorder.main]
}

resource "aws_config_configuration_recorder_status" "main" {
  name       = aws_config_configuration_recorder.main.name
  is_enabled = true
  depends_on = [aws_config_delivery_channel.main]
}

resource "aws_config_config_rule" "managed" {
  for_each = toset([
    "EKS_ENDPOINT_NO_PUBLIC_ACCESS",
    "EKS_SECRETS_ENCRYPTED",
    "RDS_STORAGE_ENCRYPTED",
    "RDS_INSTANCE_PUBLIC_ACCESS_CHECK",
    "RDS_INSTANCE_DELETION_PROTECTION_ENABLED",
    "S3_BUCKET_PUBLIC_READ_PROHIBITED",
    "S3_BUCKET_SSL_REQUESTS_ONLY",
    "ELASTICACHE_REPL_GRP_ENCRYPTED_AT_REST",
    "ELASTICACHE_REPL_GRP_ENCRYPTED_IN_TRANSIT",
    "CMK_BACKING_KEY_ROTATION_ENABLED",
    "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
    "GUARDDUTY_ENABLED_CENTRALIZED",
    "IAM_ROOT_ACCESS_KEY_CHECK",
    "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS",
    "EC2_IMDSV2_CHECK",
    "WAFV2_LOGGING_ENABLED",
  ])
  name = "${local.name}-${lower(replace(each.key, "_", "-"))}"
  source {
    owner             = "AWS"
    source_identifier = each.key
  }
  depends_on = [aws_config_configuration_recorder.main]
}

data "aws_iam_policy_document" "config_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["config.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "config" {
  name               = "${local.name}-config"
  assume_role_policy = data.aws_iam_policy_document.config_assume.json
}

resource "aws_iam_role_policy_attachment" "config" {
  role       = aws_iam_role.config.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWS_ConfigRole"
}

data "aws_iam_policy_document" "config_delivery" {
  statement {
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.cloudtrail.arn}/config/*"]
  }
  statement {
    actions   = ["s3:GetBucketAcl"]
    resources = [aws_s3_bucket.cloudtrail.arn]
  }
  statement {
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [aws_kms_key.logs.arn]
  }
  statement {
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.security.arn]
  }
}

resource "aws_iam_role_policy" "config_delivery" {
  role   = aws_iam_role.config.id
  policy = data.aws_iam_policy_document.config_delivery.json
}
