"""Helio: residential solar platform API."""
