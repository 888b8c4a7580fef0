"""/quotes: compute a priced quote for one of the caller's sites, and read them back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from helio.authz.access import Access
from helio.authz.guards import require
from helio.authz.matrix import Perm
from helio.deps import DbSession, ServicesDep
from helio.quotes import service
from helio.quotes.schemas import QuoteCreate, QuotePage, QuoteRead
from helio.sites.schemas import ID_PATTERN

router = APIRouter(prefix="/quotes", tags=["quotes"])

QuotesReader = Annotated[Access, require(Perm.QUOTES_READ)]
QuotesCreator = Annotated[Access, require(Perm.QUOTES_CREATE)]
QuoteId = Annotated[str, Path(pattern=ID_PATTERN, description="opaque quote id")]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(pattern=ID_PATTERN, description="next_cursor of a page")]


@router.post("", response_model=QuoteRead, status_code=201)
async def create_quote(
    body: QuoteCreate,
    access: QuotesCreator,
    session: DbSession,
    services: ServicesDep,
    request: Request,
) -> QuoteRead:
    """Compute a quote for a site (at most 20 a day); it is stored and never changes."""
    return await service.create_quote(session, access, body, services=services, request=request)


@router.get("", response_model=QuotePage)
async def list_quotes(
    access: QuotesReader, session: DbSession, limit: Limit = 20, cursor: Cursor = None
) -> QuotePage:
    """List the caller's quotes, newest first."""
    return await service.list_quotes(session, access, limit=limit, cursor=cursor)


@router.get("/{quote_id}", response_model=QuoteRead)
async def get_quote(quote_id: QuoteId, access: QuotesReader, session: DbSession) -> QuoteRead:
    """Return one quote with its inputs, result and assumptions."""
    return await service.get_quote(session, access, quote_id)
