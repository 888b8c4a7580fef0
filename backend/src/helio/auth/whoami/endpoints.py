"""/api/v1/auth/whoami: the caller's kind, roles and permissions."""

from __future__ import annotations

from fastapi import APIRouter

from helio.auth.deps import SessionSelf
from helio.auth.whoami import service
from helio.auth.whoami.schemas import WhoAmIRead

router = APIRouter()


@router.get("/whoami")
async def whoami(access: SessionSelf) -> WhoAmIRead:
    """Describe the caller: kind, roles, and each permission with its reach."""
    return service.describe(access.principal)
