"""Queries on sites and their energy usage; `visible` is the one scoping rule."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy import delete as sa_delete
from sqlalchemy.ext.asyncio import AsyncSession

from helio.authz import scoping
from helio.authz.access import Access
from helio.kit.pagination import keyset_page
from helio.models import EnergyUsage, Site, User


def visible(access: Access) -> Select[Site]:
    """Select the sites the caller may see: lists filter by it, single lookups go through it."""
    return select(Site).where(scoping.sites(access))


async def get_visible(session: AsyncSession, access: Access, site_id: str) -> Site | None:
    """Return one site if it exists and the caller may see it, else None."""
    result = await session.execute(visible(access).where(Site.id == site_id))
    return result.scalar_one_or_none()


async def page(
    session: AsyncSession, access: Access, *, cursor: str | None, limit: int
) -> tuple[list[Site], str | None]:
    """Return up to `limit` visible sites, newest first, after the cursor; and the next cursor.

    Raises:
        InvalidCursor: the cursor does not decode.
    """
    return await keyset_page(session, visible(access), Site, cursor=cursor, limit=limit)


async def lock_owner(session: AsyncSession, owner_id: str) -> None:
    """Lock the owner's account row so concurrent site creations are counted one at a time."""
    await session.execute(select(User.id).where(User.id == owner_id).with_for_update())


async def count_owned(session: AsyncSession, owner_id: str) -> int:
    """Return how many sites an owner has."""
    result = await session.execute(
        select(func.count()).select_from(Site).where(Site.owner_id == owner_id)
    )
    return int(result.scalar_one())


def add(session: AsyncSession, site: Site) -> None:
    """Stage a new site."""
    session.add(site)


async def delete(session: AsyncSession, site: Site) -> None:
    """Delete a site (its usage goes with it; its quotes keep their stored inputs)."""
    await session.delete(site)
    await session.flush()


async def usage_of(session: AsyncSession, site_id: str) -> EnergyUsage | None:
    """Return a site's energy usage, if any."""
    return await session.get(EnergyUsage, site_id)


async def usages_of(session: AsyncSession, site_ids: Sequence[str]) -> dict[str, EnergyUsage]:
    """Return the energy usage of several sites by site id."""
    if not site_ids:
        return {}
    result = await session.execute(select(EnergyUsage).where(EnergyUsage.site_id.in_(site_ids)))
    return {usage.site_id: usage for usage in result.scalars()}


def add_usage(session: AsyncSession, usage: EnergyUsage) -> None:
    """Stage a new usage row."""
    session.add(usage)


async def owned_by(session: AsyncSession, owner_id: str) -> list[Site]:
    """Return every site of an owner, oldest first (the owner's export)."""
    stmt = select(Site).where(Site.owner_id == owner_id).order_by(Site.created_at, Site.id)
    return list((await session.execute(stmt)).scalars())


async def delete_owned(session: AsyncSession, owner_id: str) -> None:
    """Delete every site of an owner and their energy use (the owner is being erased)."""
    own_sites = select(Site.id).where(Site.owner_id == owner_id).scalar_subquery()
    await session.execute(sa_delete(EnergyUsage).where(EnergyUsage.site_id.in_(own_sites)))
    await session.execute(sa_delete(Site).where(Site.owner_id == owner_id))
