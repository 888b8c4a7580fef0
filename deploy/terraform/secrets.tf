# The Secrets Manager entries that External Secrets reads (k8s/base/external-secrets.yaml).
# Terraform creates them empty: the operator puts the values (docs/deploy.md), so no secret
# value but the Redis AUTH token ever passes through Terraform.

locals {
  secrets = {
    app         = "HELIO_SECRET_KEY, HELIO_OPS_TOKEN, HELIO_PAYMENT_WEBHOOK_SECRET, HELIO_AUDIT_SIGNING_KEY (secret_key, ops_token, payment_webhook_secret, audit_signing_key)"
    db-app      = "The app's least-privileged MySQL user (db_user, db_password, db_host, db_name)"
    db-migrator = "The migration user (db_user, db_password, db_host, db_name)"
    smtp        = "SES SMTP credentials (smtp_user, smtp_password, smtp_host)"
    redis       = "ElastiCache AUTH token and endpoint (redis_auth_token, redis_host)"
  }
}

resource "aws_secretsmanager_secret" "main" {
  # checkov:skip=CKV2_AWS_57:Rotation is a runbook, not a Lambda: the app's own secrets rotate with `helio` commands that re-key data (docs/deploy.md), and the database users rotate by a dual-user swap that a single-user rotation Lambda cannot do.
  for_each                = local.secrets
  name                    = "helio/${var.environment}/${each.key}"
  description             = each.value
  kms_key_id              = aws_kms_key.data.arn
  recovery_window_in_days = 30
}

resource "aws_secretsmanager_secret_version" "redis" {
  secret_id = aws_secretsmanager_secret.main["redis"].id
  secret_string = jsonencode({
    redis_auth_token = var.redis_auth_token
    redis_host       = aws_elasticache_replication_group.main.primary_endpoint_address
  })
}
