"""Orders placed from quotes, and their timeline.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE_OPTIONS = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
    "mysql_engine": "InnoDB",
}


def _time(name: str, *, nullable: bool = True) -> sa.Column[object]:
    kind = (
        sa.DateTime()
        .with_variant(mysql.DATETIME(fsp=6), "mariadb")
        .with_variant(mysql.DATETIME(fsp=6), "mysql")
    )
    return sa.Column(name, kind, nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("quote_id", sa.String(length=32), nullable=False),
        sa.Column("site_id", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("request_digest", sa.String(length=64), nullable=False),
        sa.Column("net_price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("system_kwp", sa.Numeric(precision=8, scale=3), nullable=False),
        sa.Column("payment_status", sa.String(length=24), nullable=False),
        sa.Column("contact_name_ct", sa.VARBINARY(length=512), nullable=True),
        sa.Column("contact_phone_ct", sa.VARBINARY(length=256), nullable=True),
        _time("survey_starts_at"),
        _time("survey_ends_at"),
        _time("install_starts_at"),
        _time("install_ends_at"),
        _time("created_at", nullable=False),
        _time("updated_at"),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["users.id"], name=op.f("fk_orders_customer_id"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["quotes.id"], name=op.f("fk_orders_quote_id"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_orders_site_id"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint(
            "customer_id", "idempotency_key", name=op.f("uq_orders_customer_id_idempotency_key")
        ),
        sa.UniqueConstraint("quote_id", name=op.f("uq_orders_quote_id")),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_orders_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_site_id"), ["site_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_status"), ["status"], unique=False)
    op.create_table(
        "order_events",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=False),
        sa.Column("actor_id", sa.String(length=32), nullable=True),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("note_ct", sa.VARBINARY(length=4096), nullable=True),
        _time("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["users.id"],
            name=op.f("fk_order_events_customer_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_events_order_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_events")),
        sa.UniqueConstraint("order_id", "seq", name=op.f("uq_order_events_order_id_seq")),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_events_customer_id"), ["customer_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("order_events")
    op.drop_table("orders")
