"""Uploads checked by content, scanned, cleaned and kept under random names; downloads."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Awaitable, Callable

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Outcome, Target
from helio.authz import scoping
from helio.documents import content, repository
from helio.documents.exceptions import DocumentInfected, ScannerDown
from helio.documents.reads import DocumentFile
from helio.documents.schemas import DocumentPage, DocumentRead
from helio.errors import NotFound
from helio.kit.ids import new_id
from helio.kit.text import DOCUMENT_NAME_CHARS
from helio.models import Document
from helio.orders import service as orders
from helio.platform.context import Ctx
from helio.platform.files import new_storage_key
from helio.security.antivirus import ScannerUnavailable, Verdict
from helio.sites import service as sites

DOCUMENT, TABLE, NAME_COLUMN = "document", "documents", "name_ct"
CLEAN, NOT_SCANNED = "clean", "not_scanned"


def clean_name(name: str | None) -> str | None:
    """Return the uploaded file name without path, control characters or excess length."""
    if not name:
        return None
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    printable = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    return printable[:DOCUMENT_NAME_CHARS] or None


async def _scan(ctx: Ctx, data: bytes) -> str:
    scanner = ctx.app.scanner
    if scanner is None:
        return NOT_SCANNED
    try:
        verdict: Verdict = await anyio.to_thread.run_sync(scanner.scan, data)
    except ScannerUnavailable:
        raise ScannerDown from None
    if not verdict.clean:
        await audit.record_separately(
            ctx.app.db,
            ctx,
            AuditAction.DOCUMENT_REFUSED,
            outcome=Outcome.DENIED,
            details={"code": DocumentInfected.code, "signature": verdict.signature},
        )
        raise DocumentInfected
    return CLEAN


async def _where(
    session: AsyncSession, ctx: Ctx, *, site_id: str, order_id: str | None
) -> tuple[str, str | None]:
    site = await sites.require_site(session, ctx, site_id=site_id)
    if order_id is None:
        return site.id, None
    order = await orders.visible_order(session, ctx, order_id=order_id)
    if order.site_id != site.id:
        raise NotFound
    return site.id, order.id


async def upload(
    session: AsyncSession,
    ctx: Ctx,
    *,
    site_id: str,
    order_id: str | None,
    read: Callable[[], Awaitable[tuple[bytes, str | None]]],
) -> DocumentRead:
    """Keep a roof photo or a bill for one of the caller's sites (and orders).

    The site and order are checked before the body is read (`read` returns the file's
    bytes and uploaded name). The bytes decide the type; the virus scan (when
    configured) runs first on the bytes as sent, then photos are re-encoded and PDFs
    are checked for active content.

    Raises:
        NotFound: the site or order is missing or not the caller's (the same 404).
        EmptyFile, FileTooLarge, UnsupportedDocument, DocumentMalformed,
        DocumentPolyglot, ImageTooLarge, PdfActiveContent: the content is refused.
        DocumentInfected: the scanner flagged it. ScannerDown: the scanner is unreachable.
        StorageFull: the store has no room (507); nothing is kept.
    """
    site, order = await _where(session, ctx, site_id=site_id, order_id=order_id)
    data, file_name = await read()
    content.check_size(data)
    scan = await _scan(ctx, data)  # every file as sent, whatever it claims to be
    cleaned = await ctx.app.cpu.run(content.clean, data)
    key = new_storage_key()
    store = ctx.app.documents
    await anyio.to_thread.run_sync(store.put, key, cleaned.data)
    try:
        document = await _record(session, ctx, key, cleaned, (site, order), file_name, scan)
    except BaseException:
        await anyio.to_thread.run_sync(store.delete, key)
        raise
    return await _read(session, ctx, document)


async def _record(
    session: AsyncSession,
    ctx: Ctx,
    key: str,
    cleaned: content.Cleaned,
    where: tuple[str, str | None],
    file_name: str | None,
    scan: str,
) -> Document:
    owner = ctx.caller.user_id
    site_id, order_id = where
    document = Document(
        id=new_id(),
        owner_id=owner,
        site_id=site_id,
        order_id=order_id,
        kind=cleaned.kind,
        media_type=cleaned.media_type,
        size=len(cleaned.data),
        sha256=hashlib.sha256(cleaned.data).digest(),
        storage_key=key,
        scan=scan,
    )
    document.name_ct = await ctx.app.vault.seal(
        session, owner, clean_name(file_name), table=TABLE, column=NAME_COLUMN, row_id=document.id
    )
    repository.add(session, document)
    await session.flush()
    await audit.record(
        session,
        ctx,
        AuditAction.DOCUMENT_UPLOADED,
        target=Target(DOCUMENT, document.id),
        details={
            "kind": document.kind,
            "media_type": document.media_type,
            "size": document.size,
            "scan": scan,
        },
    )
    return document


async def _read(session: AsyncSession, ctx: Ctx, document: Document) -> DocumentRead:
    name = await ctx.app.vault.open(
        session,
        document.owner_id,
        document.name_ct,
        table=TABLE,
        column=NAME_COLUMN,
        row_id=document.id,
    )
    return DocumentRead(
        id=document.id,
        kind=document.kind,
        media_type=document.media_type,
        size=document.size,
        site_id=document.site_id,
        order_id=document.order_id,
        file_name=name,
        scan=document.scan,
        created_at=document.created_at,
    )


async def _visible(session: AsyncSession, ctx: Ctx, doc_id: str) -> Document:
    access = ctx.caller
    row = await repository.get_visible(session, access, doc_id)
    return scoping.visible_or_404(row, access, DOCUMENT)


async def list_documents(
    session: AsyncSession, ctx: Ctx, *, limit: int, cursor: str | None
) -> DocumentPage:
    """List the caller's documents, newest first.

    Raises:
        InvalidCursor: the cursor does not decode.
    """
    rows, next_cursor = await repository.page(session, ctx.caller, cursor=cursor, limit=limit)
    return DocumentPage(
        items=[await _read(session, ctx, row) for row in rows], next_cursor=next_cursor
    )


async def _file(ctx: Ctx, document: Document) -> DocumentFile:
    data = await anyio.to_thread.run_sync(ctx.app.documents.get, document.storage_key)
    return DocumentFile(id=document.id, media_type=document.media_type, data=data)


async def download(session: AsyncSession, ctx: Ctx, *, doc_id: str) -> DocumentFile:
    """Return one of the caller's documents.

    Raises:
        NotFound: missing or not the caller's (the same 404).
    """
    return await _file(ctx, await _visible(session, ctx, doc_id))


async def staff_download(session: AsyncSession, ctx: Ctx, *, doc_id: str) -> DocumentFile:
    """Return a customer's document to staff allowed to reach them; audited.

    Raises:
        NotFound: missing, or the customer is out of the caller's reach (no grant).
    """
    document = await _visible(session, ctx, doc_id)
    await audit.record(
        session,
        ctx,
        AuditAction.DOCUMENT_DOWNLOADED,
        target=Target(DOCUMENT, document.id),
        details={"customer_id": document.owner_id, "kind": document.kind},
    )
    return await _file(ctx, document)
