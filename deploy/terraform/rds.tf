# RDS MySQL 8.4: private data subnets only, KMS-encrypted storage and Performance Insights,
# TLS required (require_secure_transport), the MariaDB audit plugin's log and the error and
# slow-query logs to CloudWatch, 35 days of point-in-time recovery, deletion protection,
# Multi-AZ, IAM authentication for engineers' read-only access. The master password is
# generated and kept by RDS in Secrets Manager, never in Terraform state.

resource "aws_db_subnet_group" "main" {
  name       = local.name
  subnet_ids = aws_subnet.data[*].id
}

resource "aws_security_group" "db" {
  name        = "${local.name}-db"
  description = "MySQL from the EKS nodes and pods only"
  vpc_id      = aws_vpc.main.id
  ingress {
    description     = "MySQL from the cluster"
    from_port       = 3306
    to_port         = 3306
    protocol        = "tcp"
    security_groups = [aws_eks_cluster.main.vpc_config[0].cluster_security_group_id]
  }
}

resource "aws_db_parameter_group" "mysql" {
  name   = "${local.name}-mysql84"
  family = "mysql8.4"
  parameter {
    name  = "require_secure_transport"
    value = "1"
  }
  parameter {
    name         = "tls_version"
    value        = "TLSv1.2,TLSv1.3"
    apply_method = "pending-reboot"
  }
  parameter {
    name  = "slow_query_log"
    value = "1"
  }
  parameter {
    name  = "long_query_time"
    value = "1"
  }
  parameter {
    name  = "log_output"
    value = "FILE"
  }
}

resource "aws_db_option_group" "audit" {
  name                 = "${local.name}-mysql84-audit"
  engine_name          = "mysql"
  major_engine_version = "8.4"
  option {
    option_name = "MARIADB_AUDIT_PLUGIN"
    option_settings {
      name  = "SERVER_AUDIT_EVENTS"
      value = "CONNECT,QUERY_DDL,QUERY_DCL"
    }
    option_settings {
      name  = "SERVER_AUDIT_EXCL_USERS"
      value = "rdsadmin"
    }
  }
}

resource "aws_db_instance" "main" {
  identifier                            = local.name
  engine                                = "mysql"
  engine_version                        = "8.4"
  instance_class                        = var.db_instance_class
  allocated_storage                     = 100
  max_allocated_storage                 = 1000
  storage_type                          = "gp3"
  storage_encrypted                     = true
  kms_key_id                            = aws_kms_key.data.arn
  db_name                               = "helio"
  username                              = "helio_admin"
  manage_master_user_password           = true
  master_user_secret_kms_key_id         = aws_kms_key.data.arn
  iam_database_authentication_enabled   = true
  db_subnet_group_name                  = aws_db_subnet_group.main.name
  vpc_security_group_ids                = [aws_security_group.db.id]
  parameter_group_name                  = aws_db_parameter_group.mysql.name
  option_group_name                     = aws_db_option_group.audit.name
  publicly_accessible                   = false
  multi_az                              = true
  backup_retention_period               = 35
  backup_window                         = "02:00-03:00"
  maintenance_window                    = "sun:03:30-sun:04:30"
  copy_tags_to_snapshot                 = true
  delete_automated_backups              = false
  deletion_protection                   = true
  skip_final_snapshot                   = false
  final_snapshot_identifier             = "${local.name}-final"
  auto_minor_version_upgrade            = true
  enabled_cloudwatch_logs_exports       = ["audit", "error", "slowquery"]
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = aws_kms_key.data.arn
  performance_insights_retention_period = 7
  monitoring_interval                   = 30
  monitoring_role_arn                   = aws_iam_role.rds_monitoring.arn
  ca_cert_identifier                    = "rds-ca-rsa2048-g1"
  depends_on                            = [aws_cloudwatch_log_group.rds]
}

resource "aws_cloudwatch_log_group" "rds" {
  for_each          = toset(["audit", "error", "slowquery"])
  name              = "/aws/rds/instance/${local.name}/${each.key}"
  retention_in_days = 400
  kms_key_id        = aws_kms_key.logs.arn
}

data "aws_iam_policy_document" "rds_monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "rds_monitoring" {
  name               = "${local.name}-rds-monitoring"
  assume_role_policy = data.aws_iam_policy_document.rds_monitoring_assume.json
}

resource "aws_iam_role_policy_attachment" "rds_monitoring" {
  role       = aws_iam_role.rds_monitoring.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}
