"""Queries of the audit trail; appends lock the chain head so the chain never forks."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helio.audit.chain import CHAIN
from helio.models import AuditChainHead, AuditEvent


async def lock_head(session: AsyncSession) -> AuditChainHead:
    """Return the chain head row, locked until this transaction ends."""
    stmt = select(AuditChainHead).where(AuditChainHead.chain == CHAIN).with_for_update()
    return (await session.execute(stmt)).scalar_one()


def add_event(session: AsyncSession, event: AuditEvent) -> None:
    """Stage an event in the current transaction."""
    session.add(event)
