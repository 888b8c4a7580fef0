"""Where field ciphertexts live: every encrypted column, its table and its owner column.

Data-key rotation re-encrypts exactly these columns, and a test fails when a
model gains a `*_ct` column that is not listed here. Every value is sealed by
`FieldVault.seal(owner, value, table=<table>, column=<column>, row_id=<row id>)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table

from helio.models import Base


@dataclass(frozen=True)
class EncryptedTable:
    """A table with encrypted columns, the column naming each row's owner and its row id."""

    name: str
    owner_column: str
    columns: tuple[str, ...]
    id_column: str = "id"

    @property
    def table(self) -> Table:
        """Return the SQLAlchemy table."""
        return Base.metadata.tables[self.name]


ENCRYPTED_TABLES: tuple[EncryptedTable, ...] = (
    EncryptedTable(
        "users",
        owner_column="id",
        columns=(
            "email_ct",
            "full_name_ct",
            "phone_ct",
            "address_ct",
            "notes_ct",
            "totp_secret_ct",
        ),
    ),
    EncryptedTable("sites", owner_column="owner_id", columns=("address_ct",)),
    EncryptedTable(
        "orders", owner_column="customer_id", columns=("contact_name_ct", "contact_phone_ct")
    ),
    EncryptedTable("order_events", owner_column="customer_id", columns=("note_ct",)),
    EncryptedTable("documents", owner_column="owner_id", columns=("name_ct",)),
    # A lead owns its data key (it has no account): the owner column is its own id.
    EncryptedTable(
        "leads",
        owner_column="id",
        columns=("name_ct", "email_ct", "phone_ct", "postcode_ct", "message_ct"),
    ),
)


def registered_columns() -> set[tuple[str, str]]:
    """Return every (table, column) pair listed as encrypted."""
    return {(t.name, c) for t in ENCRYPTED_TABLES for c in t.columns}
