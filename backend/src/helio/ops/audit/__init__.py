"""Audit search and export for admins; both are themselves audited."""
