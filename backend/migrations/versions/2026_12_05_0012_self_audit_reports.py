"""Stored self-audit reports (the daily OWASP Top 10 report and its trend).

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0012"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE_OPTIONS = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
    "mysql_engine": "InnoDB",
}


def upgrade() -> None:
    op.create_table(
        "self_audit_reports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("worst_severity", sa.String(length=16), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("warned", sa.Integer(), nullable=False),
        sa.Column("manual", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime()
            .with_variant(mysql.DATETIME(fsp=6), "mariadb")
            .with_variant(mysql.DATETIME(fsp=6), "mysql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_audit_reports")),
        **TABLE_OPTIONS,
    )
    with op.batch_alter_table("self_audit_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_self_audit_reports_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("self_audit_reports")
