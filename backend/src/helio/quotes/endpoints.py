"""/quotes: compute a priced quote for one of the caller's sites, and read them back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from helio.http.deps import DbSession, RequestCtx
from helio.http.openapi import errors
from helio.kit.pagination import CURSOR_PATTERN
from helio.quotes import service
from helio.quotes.deps import QuoteId, QuotesCreate, QuotesRead
from helio.quotes.schemas import QuoteCreate, QuotePage, QuoteRead

router = APIRouter(prefix="/quotes", tags=["quotes"])

Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(pattern=CURSOR_PATTERN, description="next_cursor of a page")]


@router.post("", response_model=QuoteRead, status_code=201, responses=errors(404, 409, 429))
async def create_quote(
    body: QuoteCreate, access: QuotesCreate, ctx: RequestCtx, session: DbSession
) -> QuoteRead:
    """Compute a quote for a site (at most 20 a day); it is stored and never changes."""
    return await service.create_quote(session, ctx.with_access(access), data=body)


@router.get("", response_model=QuotePage)
async def list_quotes(
    access: QuotesRead,
    ctx: RequestCtx,
    session: DbSession,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> QuotePage:
    """List the caller's quotes, newest first."""
    return await service.list_quotes(session, ctx.with_access(access), limit=limit, cursor=cursor)


@router.get("/{quote_id}", response_model=QuoteRead)
async def get_quote(
    quote_id: QuoteId, access: QuotesRead, ctx: RequestCtx, session: DbSession
) -> QuoteRead:
    """Return one quote with its inputs, result and assumptions."""
    return await service.get_quote(session, ctx.with_access(access), quote_id=quote_id)
