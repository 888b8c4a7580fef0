"""Queries on documents; `visible` is the one scoping rule."""

from __future__ import annotations

from sqlalchemy import Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from helio.authz import scoping
from helio.authz.access import Access
from helio.kit.pagination import keyset_page
from helio.models import Document


def visible(access: Access) -> Select[Document]:
    """Select the documents the caller may see."""
    return select(Document).where(scoping.documents(access))


async def get_visible(session: AsyncSession, access: Access, doc_id: str) -> Document | None:
    """Return one visible document, else None."""
    stmt = visible(access).where(Document.id == doc_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def page(
    session: AsyncSession, access: Access, *, cursor: str | None, limit: int
) -> tuple[list[Document], str | None]:
    """Return a page of visible documents, newest first.

    Raises:
        InvalidCursor: the cursor does not decode.
    """
    return await keyset_page(session, visible(access), Document, cursor=cursor, limit=limit)


def add(session: AsyncSession, document: Document) -> None:
    """Stage a new document row."""
    session.add(document)


async def of_owner(session: AsyncSession, owner_id: str) -> list[Document]:
    """Every document of a customer, oldest first."""
    stmt = select(Document).where(Document.owner_id == owner_id).order_by(Document.created_at)
    return list((await session.execute(stmt)).scalars())


async def delete_of_owner(session: AsyncSession, owner_id: str) -> None:
    """Delete every document row of a customer."""
    await session.execute(delete(Document).where(Document.owner_id == owner_id))
