"""Audit search and export for admins; both are themselves audited."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Target
from helio.audit import repository as chain
from helio.audit.actions import names_of, prefixes_of
from helio.errors import RateLimited
from helio.kit.pagination import InvalidCursor, decode_cursor, encode_cursor
from helio.ops.audit import repository
from helio.ops.audit.repository import EventFilter
from helio.ops.audit.schemas import (
    AuditEventRead,
    AuditFilterQuery,
    AuditPage,
    AuditQuery,
    ExportQuery,
)
from helio.platform.context import Ctx

EXPORT_RATE = "10/hour"
EXPORT_BATCH = 1000
AUDIT = Target("audit")


def seq_after(cursor: str) -> int:
    """Return the seq a cursor of this list continues before (newest first).

    Raises:
        InvalidCursor: not a cursor of the audit search.
    """
    (number,) = decode_cursor(cursor, 1)
    if not number.isdigit() or len(number) > 19:
        raise InvalidCursor
    return int(number)


def to_filter(query: AuditFilterQuery) -> EventFilter:
    """Translate query parameters into repository criteria (naive UTC times).

    An action's older name (recorded before the vocabulary was unified) matches too.
    """
    action = query.action
    prefix = action[:-1] if action and action.endswith("*") else None
    resource_type, resource_id = None, query.resource
    if query.resource and ":" in query.resource:
        resource_type, resource_id = query.resource.split(":", 1)
    return EventFilter(
        actor_id=query.actor,
        actions=names_of(action) if action and prefix is None else None,
        action_prefixes=prefixes_of(prefix) if prefix else None,
        resource_type=resource_type,
        resource_id=resource_id,
        since=query.since.replace(tzinfo=None) if query.since else None,
        until=query.until.replace(tzinfo=None) if query.until else None,
    )


def _criteria(query: AuditFilterQuery) -> dict[str, Any]:
    fields = query.model_dump(include={"actor", "action", "resource", "since", "until"})
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in fields.items() if v}


async def search_events(session: AsyncSession, ctx: Ctx, *, query: AuditQuery) -> AuditPage:
    """Return one page of matching events, newest first; the search is audited.

    Raises:
        InvalidCursor: a cursor this list did not issue (400).
    """
    before = seq_after(query.cursor) if query.cursor else None
    rows = await repository.search(
        session, to_filter(query), before_seq=before, limit=query.limit + 1
    )
    items = [AuditEventRead.model_validate(row) for row in rows[: query.limit]]
    next_cursor = encode_cursor(items[-1].seq) if len(rows) > query.limit else None
    await audit.record(
        session,
        ctx,
        AuditAction.AUDIT_SEARCHED,
        target=AUDIT,
        details={"criteria": _criteria(query), "returned": len(items)},
    )
    return AuditPage(items=items, next_cursor=next_cursor)


async def start_export(session: AsyncSession, ctx: Ctx, *, query: ExportQuery) -> int:
    """Rate-limit and audit an export; return the last seq it may include.

    Raises:
        RateLimited: more than EXPORT_RATE exports by this admin.
    """
    allowed, retry_after = await ctx.app.limiter.hit(
        EXPORT_RATE, "audit-export", ctx.caller.user_id
    )
    if not allowed:
        raise RateLimited(retry_after)
    upto, _ = await chain.read_head(session)
    await audit.record(
        session,
        ctx,
        AuditAction.AUDIT_EXPORTED,
        target=AUDIT,
        details={"criteria": _criteria(query), "limit": query.limit, "upto_seq": upto},
    )
    return upto


async def export_lines(ctx: Ctx, *, query: ExportQuery, upto_seq: int) -> AsyncIterator[bytes]:
    """Yield matching events up to `upto_seq` as JSON lines, oldest first, in short reads.

    Each read is a transaction of its own: the response streams after the request's ended.
    """
    db = ctx.app.db
    where, after, left = to_filter(query), 0, query.limit
    while left > 0:
        async with db.transaction() as session:
            batch = await repository.export_batch(
                session, where, after_seq=after, upto_seq=upto_seq, limit=min(EXPORT_BATCH, left)
            )
        if not batch:
            return
        for event in batch:
            yield AuditEventRead.model_validate(event).model_dump_json().encode() + b"\n"
        after, left = batch[-1].seq, left - len(batch)
