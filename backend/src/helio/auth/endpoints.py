"""/api/v1/auth: every authentication route; public unsafe requests must not come cross-site."""

from __future__ import annotations

from fastapi import APIRouter

from helio.auth.accounts.endpoints import router as accounts_router
from helio.auth.deps import SameOriginOrNone
from helio.auth.login.endpoints import router as login_router
from helio.auth.mfa.endpoints import router as mfa_router
from helio.auth.sessions.endpoints import router as sessions_router
from helio.auth.tokens.endpoints import router as tokens_router
from helio.auth.whoami.endpoints import router as whoami_router

router = APIRouter(prefix="/auth", tags=["auth"], dependencies=[SameOriginOrNone])
router.include_router(accounts_router)
router.include_router(login_router)
router.include_router(tokens_router)
router.include_router(sessions_router)
router.include_router(mfa_router)
router.include_router(whoami_router)
