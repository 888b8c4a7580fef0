# What the Kubernetes overlay and the operator need (docs/deploy.md, first deployment).
output "cluster_name" {
  value = aws_eks_cluster.main.name
}

output "app_kms_key_alias" {
  value = aws_kms_alias.app.name
}

output "app_role_arn" {
  value = aws_iam_role.app.arn
}

output "secrets_reader_role_arn" {
  value = aws_iam_role.secrets_reader.arn
}

output "waf_acl_arns" {
  value = { for k, acl in aws_wafv2_web_acl.main : k => acl.arn }
}

output "db_endpoint" {
  value = aws_db_instance.main.address
}

output "db_master_secret_arn" {
  value = aws_db_instance.main.master_user_secret[0].secret_arn
}

output "redis_endpoint" {
  value = aws_elasticache_replication_group.main.primary_endpoint_address
}

output "ecr_repositories" {
  value = { for k, repo in aws_ecr_repository.main : k => repo.repository_url }
}

output "logs_bucket" {
  value = aws_s3_bucket.logs.id
}

output "subnet_cidrs" {
  value = {
    public  = cidrsubnet(var.vpc_cidr, 4, 0)
    private = cidrsubnet(var.vpc_cidr, 4, 1)
    data    = cidrsubnet(var.vpc_cidr, 4, 2)
  }
}

output "state_volume_handle" {
  description = "volumeHandle of the state PersistentVolume (k8s/base/state-volume.yaml)"
  value       = "${aws_efs_file_system.state.id}::${aws_efs_access_point.state.id}"
}
