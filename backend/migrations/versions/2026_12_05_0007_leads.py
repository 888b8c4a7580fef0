"""Leads: call-me-back requests worked by sales, personal fields encrypted.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE_OPTIONS = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
    "mysql_engine": "InnoDB",
}
INDEXED = ("assignee_id", "customer_id", "email_bidx", "phone_bidx", "status")


def _time(name: str, *, nullable: bool = True) -> sa.Column[object]:
    kind = (
        sa.DateTime()
        .with_variant(mysql.DATETIME(fsp=6), "mariadb")
        .with_variant(mysql.DATETIME(fsp=6), "mysql")
    )
    return sa.Column(name, kind, nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "leads",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("assignee_id", sa.String(length=32), nullable=True),
        sa.Column("customer_id", sa.String(length=32), nullable=True),
        sa.Column("name_ct", sa.VARBINARY(length=512), nullable=False),
        sa.Column("email_ct", sa.VARBINARY(length=512), nullable=True),
        sa.Column("email_bidx", sa.BINARY(length=33), nullable=True),
        sa.Column("phone_ct", sa.VARBINARY(length=256), nullable=True),
        sa.Column("phone_bidx", sa.BINARY(length=33), nullable=True),
        sa.Column("postcode_ct", sa.VARBINARY(length=256), nullable=False),
        sa.Column("message_ct", sa.VARBINARY(length=4096), nullable=True),
        sa.Column("estimated_value", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        _time("converted_at"),
        _time("created_at", nullable=False),
        _time("updated_at"),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_leads_assignee_id"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["users.id"], name=op.f("fk_leads_customer_id"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        for column in INDEXED:
            batch_op.create_index(batch_op.f(f"ix_leads_{column}"), [column], unique=False)


def downgrade() -> None:
    op.drop_table("leads")
