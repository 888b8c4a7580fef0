"""Audit search and export for admins; both are themselves audited."""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from helio.audit import actions, repository
from helio.audit.repository import EventFilter
from helio.audit.schemas import AuditEventRead, AuditFilters, AuditPage, AuditQuery, ExportQuery
from helio.audit.service import record
from helio.authz.access import Access
from helio.db import Database
from helio.errors import BadRequest, RateLimited
from helio.state.shared import RateLimiter

EXPORT_RATE = "10/hour"
EXPORT_BATCH = 1000
_CURSOR_PREFIX = "s:"


class InvalidCursor(BadRequest):
    code, message = "invalid_cursor", "The cursor is not valid."


def encode_cursor(seq: int) -> str:
    """Return the opaque cursor that continues after `seq` (newest first)."""
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """Return the seq a cursor continues before.

    Raises:
        InvalidCursor: not a cursor this API issued.
    """
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor() from None
    number = text.removeprefix(_CURSOR_PREFIX)
    if not text.startswith(_CURSOR_PREFIX) or not number.isdigit() or len(number) > 19:
        raise InvalidCursor()
    return int(number)


def to_filter(query: AuditFilters) -> EventFilter:
    """Translate query parameters into repository criteria (naive UTC times)."""
    action = query.action
    prefix = action[:-1] if action and action.endswith("*") else None
    resource_type, resource_id = None, query.resource
    if query.resource and ":" in query.resource:
        resource_type, resource_id = query.resource.split(":", 1)
    return EventFilter(
        actor_id=query.actor,
        action=None if prefix is not None else action,
        action_prefix=prefix or None,
        resource_type=resource_type,
        resource_id=resource_id,
        since=query.since.replace(tzinfo=None) if query.since else None,
        until=query.until.replace(tzinfo=None) if query.until else None,
    )


def _criteria(query: AuditFilters) -> dict[str, Any]:
    fields = query.model_dump(include={"actor", "action", "resource", "since", "until"})
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in fields.items() if v}


async def search_events(
    session: AsyncSession, access: Access, query: AuditQuery, request: Request | None = None
) -> AuditPage:
    """Return one page of matching events, newest first; the search is audited."""
    before = decode_cursor(query.cursor) if query.cursor else None
    rows = await repository.search(
        session, to_filter(query), before_seq=before, limit=query.limit + 1
    )
    items = [AuditEventRead.model_validate(row) for row in rows[: query.limit]]
    next_cursor = encode_cursor(items[-1].seq) if len(rows) > query.limit else None
    await record(
        session,
        action=actions.AUDIT_SEARCH,
        actor=access.principal,
        resource_type="audit",
        request=request,
        details={"criteria": _criteria(query), "returned": len(items)},
    )
    return AuditPage(items=items, next_cursor=next_cursor)


async def start_export(
    session: AsyncSession,
    limiter: RateLimiter,
    access: Access,
    query: ExportQuery,
    request: Request | None = None,
) -> int:
    """Rate-limit and audit an export; return the last seq it may include.

    Raises:
        RateLimited: more than EXPORT_RATE exports by this admin.
    """
    allowed, retry_after = await limiter.hit(EXPORT_RATE, "audit-export", access.user_id)
    if not allowed:
        raise RateLimited(retry_after)
    upto, _ = await repository.read_head(session)
    await record(
        session,
        action=actions.AUDIT_EXPORT,
        actor=access.principal,
        resource_type="audit",
        request=request,
        details={"criteria": _criteria(query), "limit": query.limit, "upto_seq": upto},
    )
    return upto


async def export_lines(db: Database, query: ExportQuery, *, upto_seq: int) -> AsyncIterator[bytes]:
    """Yield matching events up to `upto_seq` as JSON lines, oldest first, in short reads."""
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
