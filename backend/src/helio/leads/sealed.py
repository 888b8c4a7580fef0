"""A lead's personal fields in and out of the vault (sealed under the lead's own data key).

A lead has no account, so it is the owner of its key: erasing a lead destroys the key
and deletes the row, and nothing of the person is left to read.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from helio.authz import masking
from helio.models import Lead
from helio.platform.app import App

TABLE = "leads"
# The encrypted column of each personal field.
COLUMNS = {
    "name": "name_ct",
    "email": "email_ct",
    "phone": "phone_ct",
    "postcode": "postcode_ct",
    "message": "message_ct",
}


@dataclass(frozen=True)
class LeadPerson:
    """A lead's personal fields, decrypted."""

    name: str | None
    email: str | None
    phone: str | None
    postcode: str | None
    message: str | None

    def masked(self) -> LeadPerson:
        """Return what may be shown to anyone but the lead's salesperson."""
        return LeadPerson(
            name=masking.mask_name(self.name),
            email=masking.mask_email(self.email),
            phone=masking.mask_phone(self.phone),
            postcode=(self.postcode or "")[:2] + masking.HIDDEN if self.postcode else None,
            message=None,
        )


async def seal(session: AsyncSession, app: App, lead: Lead, person: LeadPerson) -> None:
    """Encrypt the fields onto the row and refresh the email and phone blind indexes."""
    for field, column in COLUMNS.items():
        value = getattr(person, field)
        sealed = await app.vault.seal(
            session, lead.id, value, table=TABLE, column=column, row_id=lead.id
        )
        setattr(lead, column, sealed)
    lead.email_bidx = app.indexer.index("email", person.email) if person.email else None
    lead.phone_bidx = app.indexer.index("phone", person.phone) if person.phone else None


async def open_person(session: AsyncSession, app: App, lead: Lead) -> LeadPerson:
    """Decrypt a lead's personal fields."""
    values = {
        field: await app.vault.open(
            session, lead.id, getattr(lead, column), table=TABLE, column=column, row_id=lead.id
        )
        for field, column in COLUMNS.items()
    }
    return LeadPerson(**values)
