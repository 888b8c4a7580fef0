# The app's shared state files: the JWT signing key set (envelope-encrypted under the app KMS
# key by the app itself) and the checkpoints of resumable key rotations. Every API, worker and
# job pod must see the same files (helio.auth.server_keys: one file, flock-serialised), so
# they live on EFS: KMS-encrypted at rest, TLS in transit (the file-system policy refuses
# anything else), one access point that maps every client to uid 10001 under /helio, mounted
# only from the cluster's security group, backed up by AWS Backup.

resource "aws_efs_file_system" "state" {
  creation_token   = "${local.name}-state"
  encrypted        = true
  kms_key_id       = aws_kms_key.data.arn
  performance_mode = "generalPurpose"
  throughput_mode  = "elastic"
  tags             = { Name = "${local.name}-state" }
}

resource "aws_efs_backup_policy" "state" {
  file_system_id = aws_efs_file_system.state.id
  backup_policy {
    status = "ENABLED"
  }
}

resource "aws_security_group" "efs" {
  name        = "${local.name}-efs"
  description = "NFS (TLS through efs-utils) from the cluster only"
  vpc_id      = aws_vpc.main.id
  ingress {
    description     = "NFS from the cluster"
    from_port       = 2049
    to_port         = 2049
    protocol        = "tcp"
    security_groups = [aws_eks_cluster.main.vpc_config[0].cluster_security_group_id]
  }
}

resource "aws_efs_mount_target" "state" {
  count           = 3
  file_system_id  = aws_efs_file_system.state.id
  subnet_id       = aws_subnet.private[count.index].id
  security_groups = [aws_security_group.efs.id]
}

resource "aws_efs_access_point" "state" {
  file_system_id = aws_efs_file_system.state.id
  posix_user {
    uid = 10001
    gid = 10001
  }
  root_directory {
    path = "/helio"
    creation_info {
      owner_uid   = 10001
      owner_gid   = 10001
      permissions = "0700"
    }
  }
}

data "aws_iam_policy_document" "efs" {
  statement {
    sid       = "TlsOnly"
    effect    = "Deny"
    actions   = ["*"]
    resources = [aws_efs_file_system.state.arn]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
  statement {
    sid       = "NodesThroughTheAccessPoint"
    actions   = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
    resources = [aws_efs_file_system.state.arn]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.nodes.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "elasticfilesystem:AccessPointArn"
      values   = [aws_efs_access_point.state.arn]
    }
  }
}

resource "aws_efs_file_system_policy" "state" {
  file_system_id = aws_efs_file_system.state.id
  policy         = data.aws_iam_policy_document.efs.json
}

# The EFS CSI driver mounts the access point into the pods (static provisioning).
resource "aws_eks_addon" "efs_csi" {
  cluster_name = aws_eks_cluster.main.name
  addon_name   = "aws-efs-csi-driver"
  depends_on   = [aws_eks_node_group.main]
}
