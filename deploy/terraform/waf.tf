# WAF in front of both load balancers (the Ingress annotations name these ACLs).
# Public: per-address rate limits (all paths, and a tighter one on authentication), AWS managed
# rules (common, known bad inputs incl. Log4j, SQL injection, IP reputation), staff and admin
# API paths blocked outright. Staff console: the company network only, then the same rules.

locals {
  managed_rule_groups = {
    AWSManagedRulesAmazonIpReputationList = 10
    AWSManagedRulesCommonRuleSet          = 11
    AWSManagedRulesKnownBadInputsRuleSet  = 12
    AWSManagedRulesSQLiRuleSet            = 13
  }
  web_acls = {
    public = { default_allow = true }
    staff  = { default_allow = false }
  }
}

resource "aws_wafv2_ip_set" "company" {
  name               = "${local.name}-company"
  scope              = "REGIONAL"
  ip_address_version = "IPV4"
  addresses          = var.company_cidrs
}

resource "aws_wafv2_web_acl" "main" {
  for_each = local.web_acls
  name     = "${local.name}-${each.key}"
  scope    = "REGIONAL"

  default_action {
    dynamic "allow" {
      for_each = each.value.default_allow ? [1] : []
      content {}
    }
    dynamic "block" {
      for_each = each.value.default_allow ? [] : [1]
      content {}
    }
  }

  rule {
    name     = "rate-per-address"
    priority = 1
    action {
      block {}
    }
    statement {
      rate_based_statement {
        limit              = 2000
        aggregate_key_type = "IP"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.name}-${each.key}-rate"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "rate-authentication"
    priority = 2
    action {
      block {}
    }
    statement {
      rate_based_statement {
        limit              = 100
        aggregate_key_type = "IP"
        scope_down_statement {
          byte_match_statement {
            positional_constraint = "STARTS_WITH"
            search_string         = "/api/v1/auth/"
            field_to_match {
              uri_path {}
            }
            text_transformation {
              priority = 0
              type     = "LOWERCASE"
            }
          }
        }
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.name}-${each.key}-rate-auth"
      sampled_requests_enabled   = true
    }
  }

  dynamic "rule" {
    for_each = each.key == "public" ? ["/api/v1/staff", "/api/v1/admin"] : []
    content {
      name     = "no-staff-paths-${replace(trimprefix(rule.value, "/api/v1/"), "/", "-")}"
      priority = 3 + rule.key
      action {
        block {}
      }
      statement {
        byte_match_statement {
          positional_constraint = "STARTS_WITH"
          search_string         = rule.value
          field_to_match {
            uri_path {}
          }
          text_transformation {
            priority = 0
            type     = "URL_DECODE"
          }
        }
      }
      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${local.name}-${each.key}-staff-path-${rule.key}"
        sampled_requests_enabled   = true
      }
    }
  }

  dynamic "rule" {
    for_each = local.managed_rule_groups
    content {
      name     = rule.key
      priority = rule.value
      override_action {
        none {}
      }
      statement {
        managed_rule_group_statement {
          name        = rule.key
          vendor_name = "AWS"
        }
      }
      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${local.name}-${each.key}-${rule.key}"
        sampled_requests_enabled   = true
      }
    }
  }

  # The staff ACL blocks by default: this rule lets the company network on to the rules above.
  dynamic "rule" {
    for_each = each.key == "staff" ? [1] : []
    content {
      name     = "company-network"
      priority = 50
      action {
        allow {}
      }
      statement {
        ip_set_reference_statement {
          arn = aws_wafv2_ip_set.company.arn
        }
      }
      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${local.name}-staff-company"
        sampled_requests_enabled   = true
      }
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${local.name}-${each.key}"
    sampled_requests_enabled   = true
  }
}

resource "aws_cloudwatch_log_group" "waf" {
  # WAF requires the aws-waf-logs- prefix.
  name              = "aws-waf-logs-${local.name}"
  retention_in_days = 400
  kms_key_id        = aws_kms_key.logs.arn
}

resource "aws_wafv2_web_acl_logging_configuration" "public" {
  resource_arn            = aws_wafv2_web_acl.main["public"].arn
  log_destination_configs = [aws_cloudwatch_log_group.waf.arn]
  redacted_fields {
    single_header {
      name = "authorization"
    }
  }
  redacted_fields {
    single_header {
      name = "cookie"
    }
  }
}

resource "aws_wafv2_web_acl_logging_configuration" "staff" {
  resource_arn            = aws_wafv2_web_acl.main["staff"].arn
  log_destination_configs = [aws_cloudwatch_log_group.waf.arn]
  redacted_fields {
    single_header {
      name = "authorization"
    }
  }
  redacted_fields {
    single_header {
      name = "cookie"
    }
  }
}
