"""The customer's consent history: which purpose, granted or withdrawn, when."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helio.customers import repository
from helio.models import ConsentEvent
from helio.platform.personal_data import PersonalData
from helio.security.vault import FieldVault


async def export_consent(
    session: AsyncSession, _vault: FieldVault, owner_id: str
) -> list[dict[str, Any]]:
    """Return the account's consent events, oldest first."""
    return [
        {"purpose": e.purpose, "granted": e.granted, "at": e.created_at}
        for e in await repository.consent_history(session, owner_id)
    ]


CONSENT = PersonalData(
    owner=ConsentEvent.user_id,
    export_as="consent_history",
    export=export_consent,
    erase=None,
    kept_because="the proof that consent was given or withdrawn: a purpose and a time, no PII",
)
