"""Named FastAPI dependencies shared by every domain."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from helio.services import Services


def get_services(request: Request) -> Services:
    """Return the services of the app serving this request."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_db_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Yield the request's session; its transaction commits before the response is sent."""
    services = get_services(request)
    async with services.db.transaction() as session:
        yield session


# scope="function": the transaction ends right after the route returns, so a
# failed commit still turns into an error response instead of a sent 200.
DbSession = Annotated[AsyncSession, Depends(get_db_session, scope="function")]


def client_ip(request: Request) -> str:
    """Return the client address resolved by the request-context middleware."""
    return str(getattr(request.state, "client_ip", "unknown"))


def request_id(request: Request) -> str:
    """Return the request id."""
    return str(getattr(request.state, "request_id", "-"))
