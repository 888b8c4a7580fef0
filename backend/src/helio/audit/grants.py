"""MySQL privileges of the app user on the audit tables: append and read, never rewrite."""

from __future__ import annotations

import re

# Identifiers are spliced into DDL (GRANT takes no bound parameters), so only
# plain names pass; the host may be a name, an address, a CIDR-like mask or '%'.
_NAME = re.compile(r"[A-Za-z0-9_]{1,64}")
_HOST = re.compile(r"[A-Za-z0-9_.:%/-]{1,255}")

AUDIT_TABLE_PRIVILEGES: tuple[tuple[str, str], ...] = (
    ("audit_events", "SELECT, INSERT"),
    ("audit_checkpoints", "SELECT, INSERT"),
    ("audit_chain_head", "SELECT, UPDATE"),
)


def audit_grants(schema: str, user: str, *, host: str = "%") -> list[str]:
    """Return the GRANT statements of the app user on the audit tables.

    The app user may add events and checkpoints and move the chain head, but
    MySQL refuses its UPDATE or DELETE of any event or checkpoint (error 1142).
    No broader grant (`schema.*`, ALL) may be given to the same user, or it
    would override these.

    Args:
        schema: the database name.
        user: the app user name, or "name@host".
        host: the account host when `user` has none.

    Returns:
        One GRANT statement per audit table.

    Raises:
        ValueError: a name or host outside the safe identifier alphabet.
    """
    name, _, user_host = user.partition("@")
    account_host = user_host or host
    if not (_NAME.fullmatch(schema) and _NAME.fullmatch(name) and _HOST.fullmatch(account_host)):
        raise ValueError("schema, user and host must be plain identifiers")
    account = f"'{name}'@'{account_host}'"
    return [
        f"GRANT {privileges} ON `{schema}`.`{table}` TO {account}"
        for table, privileges in AUDIT_TABLE_PRIVILEGES
    ]
