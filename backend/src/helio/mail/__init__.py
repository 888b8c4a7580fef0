"""Outgoing mail: SMTP delivery, a background outbox, plain-text templates, a local sink."""
