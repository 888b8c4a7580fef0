"""Create, find and read accounts; PII goes through the vault, lookups through blind indexes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helio.audit import Target
from helio.auth.accounts import repository
from helio.authz.matrix import Role
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.kit.text import json_text
from helio.models import User
from helio.platform.app import App
from helio.security.blind_index import normalise_email, normalise_phone

TABLE = "users"
# Authentication events name the account they are about as this resource type.
ACCOUNT = "account"
# Encrypted columns of `users` and the profile attribute each one holds.
PII_COLUMNS = {
    "email_ct": "email",
    "full_name_ct": "full_name",
    "phone_ct": "phone",
    "address_ct": "address",
    "notes_ct": "notes",
}
NAME_PREFIX_LENGTH = 3

# The blind indexes of `users` and how each value is normalised before hashing.
INDEX_NORMALISERS: dict[str, Callable[[str], str]] = {
    "email": normalise_email,
    "phone": normalise_phone,
    # Staff search by name prefix; `name_prefix` normalises it.
    "name_prefix": str,
}


@dataclass(frozen=True)
class Profile:
    """An account's identity data, decrypted."""

    id: str
    kind: str
    status: str
    email: str
    full_name: str | None
    phone: str | None
    address: dict[str, Any] | None
    notes: str | None
    email_verified: bool
    marketing_consent: bool
    roles: frozenset[Role] = field(default_factory=frozenset)


def account_target(user_id: str | None) -> Target | None:
    """Return what an authentication event is about: the account, when one is known."""
    return Target(ACCOUNT, user_id) if user_id else None


def name_prefix(full_name: str) -> str:
    """Return the normalised name prefix that staff search matches."""
    return "".join(full_name.split()).casefold()[:NAME_PREFIX_LENGTH]


async def create_account(
    session: AsyncSession,
    app: App,
    *,
    kind: str,
    email: str,
    full_name: str,
    password_hash: str | None,
    roles: Iterable[Role] = (),
    phone: str | None = None,
) -> User:
    """Create an account with its own data key; PII stored only as ciphertext."""
    user_id = new_id()
    user = User(id=user_id, kind=kind, status="active", password_hash=password_hash)
    user.password_changed_at = utcnow() if password_hash else None
    await app.vault.create_key(session, user_id)
    repository.add(session, user)
    await _write_pii(session, app, user, {"email": email, "full_name": full_name, "phone": phone})
    await session.flush()
    if roles:
        await repository.set_roles(session, user_id, roles, granted_by=None)
    return user


async def update_pii(
    session: AsyncSession, app: App, user: User, changes: dict[str, Any]
) -> list[str]:
    """Write changed PII fields (re-encrypted, indexes refreshed); return the changed names."""
    await _write_pii(session, app, user, changes)
    user.updated_at = utcnow()
    return sorted(changes)


async def _write_pii(session: AsyncSession, app: App, user: User, values: dict[str, Any]) -> None:
    indexer = app.indexer
    for column, attribute in PII_COLUMNS.items():
        if attribute not in values:
            continue
        value = values[attribute]
        plain = json_text(value) if isinstance(value, dict) else value
        ciphertext = await app.vault.seal(
            session, user.id, plain, table=TABLE, column=column, row_id=user.id
        )
        setattr(user, column, ciphertext)
        if attribute == "email":
            user.email_bidx = indexer.index("email", value)
        elif attribute == "phone":
            user.phone_bidx = indexer.index("phone", value) if value else None
        elif attribute == "full_name":
            user.name_prefix_bidx = (
                indexer.index("name_prefix", name_prefix(value)) if value else None
            )


async def find_by_email(session: AsyncSession, app: App, email: str) -> User | None:
    """Find an account by email through the blind index (case- and format-insensitive)."""
    try:
        candidates = app.indexer.lookup_candidates("email", email)
    except ValueError:
        return None
    return await repository.by_email_index(session, candidates)


async def find_by_phone(session: AsyncSession, app: App, phone: str) -> list[User]:
    """Find accounts by phone number through the blind index."""
    try:
        candidates = app.indexer.lookup_candidates("phone", phone)
    except ValueError:
        return []
    return await repository.by_phone_index(session, candidates)


async def find_by_name_prefix(
    session: AsyncSession, app: App, prefix: str, *, limit: int = 20
) -> list[User]:
    """Find accounts whose name starts with `prefix` (its first three letters are indexed)."""
    key = name_prefix(prefix)
    if len(key) < NAME_PREFIX_LENGTH:
        return []
    candidates = app.indexer.lookup_candidates("name_prefix", key)
    return await repository.by_name_prefix_index(session, candidates, limit=limit)


async def read_profile(
    session: AsyncSession, app: App, user: User, *, roles: frozenset[Role] | None = None
) -> Profile:
    """Decrypt an account's identity data (`roles`: already known, e.g. the caller's own)."""
    plain: dict[str, Any] = {}
    for column, attribute in PII_COLUMNS.items():
        plain[attribute] = await app.vault.open(
            session, user.id, getattr(user, column), table=TABLE, column=column, row_id=user.id
        )
    address = json.loads(plain["address"]) if plain["address"] else None
    return Profile(
        id=user.id,
        kind=user.kind,
        status=user.status,
        email=plain["email"] or "",
        full_name=plain["full_name"],
        phone=plain["phone"],
        address=address,
        notes=plain["notes"],
        email_verified=user.email_verified_at is not None,
        marketing_consent=user.marketing_consent,
        roles=roles if roles is not None else await repository.roles(session, user.id),
    )
