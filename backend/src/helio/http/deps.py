"""Named dependencies every route uses: the app, the request's transaction, the request context."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from helio.kit.meta import NO_REQUEST, RequestMeta
from helio.platform.app import App
from helio.platform.context import Ctx


def get_app(request: Request) -> App:
    """Return the application object serving this request."""
    app: App = request.app.state.app
    return app


async def _app_dependency(request: Request) -> App:
    # An async dependency runs on the event loop; a plain `def` would hop to a worker thread.
    return get_app(request)


AppDep = Annotated[App, Depends(_app_dependency)]


async def get_db_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Yield the request's session; its transaction commits before the response is sent."""
    async with get_app(request).db.transaction() as session:
        yield session


# scope="function": the transaction ends right after the route returns, so a
# failed commit still turns into an error response instead of a sent 200.
DbSession = Annotated[AsyncSession, Depends(get_db_session, scope="function")]


def request_meta(request: Request) -> RequestMeta:
    """Return what the request-context middleware resolved about this request."""
    meta: RequestMeta = getattr(request.state, "meta", NO_REQUEST)
    return meta


def get_ctx(request: Request) -> Ctx:
    """Return the context of this request, without a caller (the guard adds one)."""
    return Ctx(get_app(request), None, request_meta(request))


async def _ctx_dependency(request: Request) -> Ctx:
    # Async for the same reason as `_app_dependency`: no thread hop per request.
    return get_ctx(request)


RequestCtx = Annotated[Ctx, Depends(_ctx_dependency)]
