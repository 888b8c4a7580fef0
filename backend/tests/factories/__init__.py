"""Test data made the way the app makes it: accounts, sessions, sites, PII rows, audit reads."""
