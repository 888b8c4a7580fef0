"""Queries on accounts and their roles."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helio.authz.matrix import Role
from helio.kit.clock import utcnow
from helio.models import User, UserRole
from helio.security.blind_index import erased_index


async def get(session: AsyncSession, user_id: str) -> User | None:
    """Return an account by id."""
    return await session.get(User, user_id)


async def by_email_index(session: AsyncSession, candidates: Sequence[bytes]) -> User | None:
    """Return the account whose email blind index is one of `candidates`."""
    stmt = select(User).where(User.email_bidx.in_(candidates))
    return (await session.execute(stmt)).scalars().first()


async def by_phone_index(session: AsyncSession, candidates: Sequence[bytes]) -> list[User]:
    """Return the accounts whose phone blind index is one of `candidates`."""
    stmt = select(User).where(User.phone_bidx.in_(candidates))
    return list((await session.execute(stmt)).scalars())


async def by_name_prefix_index(
    session: AsyncSession, candidates: Sequence[bytes], *, limit: int
) -> list[User]:
    """Return accounts whose name-prefix blind index is one of `candidates`."""
    stmt = select(User).where(User.name_prefix_bidx.in_(candidates)).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def roles(session: AsyncSession, user_id: str) -> frozenset[Role]:
    """Return the roles an account holds."""
    stmt = select(UserRole.role).where(UserRole.user_id == user_id)
    return frozenset(Role(r) for r in (await session.execute(stmt)).scalars())


async def set_roles(
    session: AsyncSession, user_id: str, new_roles: Iterable[Role], *, granted_by: str | None
) -> None:
    """Replace the roles of an account."""
    await session.execute(delete(UserRole).where(UserRole.user_id == user_id))
    for role in sorted(set(new_roles)):
        session.add(UserRole(user_id=user_id, role=role.value, granted_by=granted_by))
    await session.flush()


def add(session: AsyncSession, user: User) -> None:
    """Stage a new account."""
    session.add(user)


async def batch_after(session: AsyncSession, after_id: str, limit: int) -> list[User]:
    """Return up to `limit` accounts with an id greater than `after_id` (for batch jobs)."""
    stmt = select(User).where(User.id > after_id).order_by(User.id).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def lock_account(session: AsyncSession, user_id: str, *, refresh: bool = True) -> User:
    """Lock an account row for the rest of the transaction and return it.

    Taken before writing the account or rows that reference it, so concurrent
    sign-ins of one account queue here instead of deadlocking (a foreign-key
    check's shared lock upgraded to an exclusive one by two transactions).
    With `refresh`, the row is re-read; without, pending changes are kept.
    """
    stmt = select(User).where(User.id == user_id).with_for_update()
    if refresh:
        stmt = stmt.execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalars().one()


async def erase_identity(session: AsyncSession, user_id: str) -> None:
    """Make an erased account unfindable and unusable: random indexes, no password, no TOTP."""
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(
            email_bidx=erased_index(),
            phone_bidx=None,
            name_prefix_bidx=None,
            password_hash=None,
            totp_secret_ct=None,
            totp_confirmed_at=None,
            marketing_consent=False,
            updated_at=utcnow(),
        )
    )
