"""Payments: deposits asked on orders, and the provider's signed webhooks that settle them."""
