"""Accounts of customers and staff: identity data, encrypted at rest."""
