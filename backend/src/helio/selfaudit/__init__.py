"""The self-audit: an OWASP Top 10 (2021) report the deployment writes about itself."""
