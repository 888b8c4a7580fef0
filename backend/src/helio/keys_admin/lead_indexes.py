"""Leads' blind indexes follow an index-key rotation like the accounts' do.

A customer's export and erasure find the leads left with their email by comparing the
lead's email index with the account's, so both must move to the new key version before
the old one is retired.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helio.keys_admin import repository as repo
from helio.keys_admin.run import RotationReport
from helio.platform.app import App
from helio.security.crypto import DecryptionError

TABLE = "leads"


def _current(row: Any, version: int) -> bool:
    return all(index is None or index[0] == version for index in (row.email_bidx, row.phone_bidx))


async def _reindex(
    session: AsyncSession, app: App, row: Any, version: int, report: RotationReport
) -> dict[str, Any] | None:
    plain: dict[str, str | None] = {}
    try:
        for column in ("email_ct", "phone_ct"):
            plain[column] = await app.vault.open(
                session, row.id, getattr(row, column), table=TABLE, column=column, row_id=row.id
            )
    except DecryptionError:
        report.failed.append(f"lead:{row.id}")
        return None
    email, phone = plain["email_ct"], plain["phone_ct"]
    index = app.indexer.index
    return {
        "id": row.id,
        "email_bidx": index("email", email, version=version) if email else None,
        "phone_bidx": index("phone", phone, version=version) if phone else None,
    }


async def reindex_leads(app: App, version: int, batch_size: int, report: RotationReport) -> int:
    """Recompute every lead index not yet at `version`; return how many leads changed.

    Leads that fail to decrypt are listed in `report.failed`, which keeps the old versions.
    """
    after, changed = "", 0
    while True:
        async with app.db.transaction() as session:
            rows = await repo.leads_for_indexing(session, after, batch_size)
            stale = [row for row in rows if not _current(row, version)]
            changes = [
                c for row in stale if (c := await _reindex(session, app, row, version, report))
            ]
            await repo.store_lead_indexes(session, changes)
        if not rows:
            return changed
        after, changed = str(rows[-1].id), changed + len(changes)
