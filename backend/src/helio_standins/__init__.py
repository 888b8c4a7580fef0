"""Stand-ins for external services, for tests and offline demos; not in the runtime package."""
