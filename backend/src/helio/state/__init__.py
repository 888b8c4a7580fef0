"""Shared state every replica sees: counters and flags with expiry, rate limits, the job queue."""
