"""Accounts: sign-up, email verification, password reset and change; identity data (PII)."""
