"""Sealed text columns sized from their fields' character limits.

Each encrypted column holds the longest value its request fields allow, in
4-byte UTF-8 characters, plus the cipher's 33-byte envelope (see
`helio.kit.text.sealed_bytes`); a sealed address is JSON without ASCII escapes.
The sizes are written out here so this revision stays what it was when the
limits change; a later change of a limit comes with its own revision.

SQLite does not enforce VARBINARY lengths, so there is nothing to change there.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, nullable, bytes before, bytes after)
RESIZED: tuple[tuple[str, str, bool, int, int], ...] = (
    ("users", "email_ct", False, 512, 1049),
    ("users", "full_name_ct", True, 512, 833),
    ("users", "phone_ct", True, 256, 193),
    ("users", "address_ct", True, 2048, 2609),
    ("sites", "address_ct", True, 2048, 2609),
    ("leads", "name_ct", False, 512, 833),
    ("leads", "email_ct", True, 512, 1049),
    ("leads", "phone_ct", True, 256, 193),
    ("leads", "postcode_ct", False, 256, 113),
    ("leads", "message_ct", True, 4096, 8033),
    ("orders", "contact_name_ct", True, 512, 833),
    ("orders", "contact_phone_ct", True, 256, 193),
    ("order_events", "note_ct", True, 4096, 4033),
    ("documents", "name_ct", True, 512, 833),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column, nullable, old, new in RESIZED:
        op.alter_column(
            table,
            column,
            existing_type=sa.VARBINARY(old),
            type_=sa.VARBINARY(new),
            existing_nullable=nullable,
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column, nullable, old, new in RESIZED:
        op.alter_column(
            table,
            column,
            existing_type=sa.VARBINARY(new),
            type_=sa.VARBINARY(old),
            existing_nullable=nullable,
        )
