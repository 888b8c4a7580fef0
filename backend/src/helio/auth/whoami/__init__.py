"""GET /api/v1/auth/whoami: what the permission matrix lets the caller do."""
