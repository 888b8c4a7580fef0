"""Least-privilege MySQL accounts: the app user (DML only) and the migration user (DDL)."""

from __future__ import annotations

from helio.models import Base

# The app may append to and read the audit trail, never rewrite it.
APPEND_ONLY_TABLES = {"audit_events": "SELECT, INSERT", "audit_checkpoints": "SELECT, INSERT"}
# The chain head is read and moved forward under a row lock.
HEAD_TABLES = {"audit_chain_head": "SELECT, UPDATE"}


def table_privileges() -> dict[str, str]:
    """Return the privileges of the app user on each table."""
    privileges = {}
    for table in Base.metadata.sorted_tables:
        privileges[table.name] = APPEND_ONLY_TABLES.get(
            table.name, HEAD_TABLES.get(table.name, "SELECT, INSERT, UPDATE, DELETE")
        )
    privileges["alembic_version"] = "SELECT"
    return privileges


def grant_statements(schema: str, *, app_user: str, migrator: str, host: str = "%") -> list[str]:
    """Return the GRANT statements for both users (passwords are set separately)."""
    statements = [
        "-- app user: DML on its own schema only; no DDL, FILE, SUPER, PROCESS or GRANT OPTION",
        f"CREATE USER IF NOT EXISTS '{app_user}'@'{host}' IDENTIFIED BY '<app password>';",
    ]
    for table, privileges in table_privileges().items():
        statements.append(f"GRANT {privileges} ON `{schema}`.`{table}` TO '{app_user}'@'{host}';")
    statements += [
        "-- migration user: schema changes on this schema only, used by the migration job",
        f"CREATE USER IF NOT EXISTS '{migrator}'@'{host}' IDENTIFIED BY '<migrator password>';",
        f"GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, INDEX, REFERENCES "
        f"ON `{schema}`.* TO '{migrator}'@'{host}';",
    ]
    return statements
