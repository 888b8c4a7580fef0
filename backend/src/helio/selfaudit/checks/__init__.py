"""The registered checks, one module per evidence source (`registry.all_checks` loads them)."""
