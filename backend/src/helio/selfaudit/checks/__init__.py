"""The registered checks, one module per evidence source."""

from helio.selfaudit.checks import config, database, deploy, deps, http, redis

__all__ = ["config", "database", "deploy", "deps", "http", "redis"]
