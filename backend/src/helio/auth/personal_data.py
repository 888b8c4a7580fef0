"""The account's identity data, its sessions and its second factors."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helio.auth.accounts import repository as accounts
from helio.auth.mfa import repository as factors
from helio.auth.sessions import repository as sessions
from helio.auth.tokens import repository as tokens
from helio.models import AuthSession, OneTimeToken, RecoveryCode, User, UserRole, WebAuthnCredential
from helio.platform.personal_data import PersonalData
from helio.security.vault import FieldVault

_SESSION_FIELDS = (
    "id",
    "kind",
    "device",
    "ip_prefix",
    "mfa_verified",
    "created_at",
    "last_seen_at",
    "idle_expires_at",
    "absolute_expires_at",
    "revoked_at",
    "revoked_reason",
)


async def export_sessions(
    session: AsyncSession, _vault: FieldVault, owner_id: str
) -> list[dict[str, Any]]:
    """Return every session of the account: device, network, times (never its secrets)."""
    rows = await sessions.all_of(session, owner_id)
    return [{name: getattr(row, name) for name in _SESSION_FIELDS} for row in rows]


SESSIONS = PersonalData(
    owner=AuthSession.user_id,
    export_as="sessions",
    export=export_sessions,
    erase=sessions.delete_all_of,
)
ONE_TIME_TOKENS = PersonalData(
    owner=OneTimeToken.user_id, export_as=None, export=None, erase=tokens.delete_one_time_of
)
RECOVERY_CODES = PersonalData(
    owner=RecoveryCode.user_id, export_as=None, export=None, erase=factors.delete_recovery_codes
)
PASSKEYS = PersonalData(
    owner=WebAuthnCredential.user_id,
    export_as=None,
    export=None,
    erase=factors.delete_credentials_of,
)
ROLES = PersonalData(
    owner=UserRole.user_id,
    export_as=None,
    export=None,
    erase=None,
    kept_because="a role says what the account could do, nothing about the person",
)
# Last: the account row itself. Its PII columns became unreadable when the vault
# destroyed the data keys; the indexes, password and factors go here. The profile
# is exported by the customers domain (`GET /me/export` → `profile`).
ACCOUNT = PersonalData(owner=User.id, export_as=None, export=None, erase=accounts.erase_identity)
