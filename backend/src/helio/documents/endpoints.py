"""/documents (the customer's roof photos and bills) and /staff/documents (downloads)."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from helio.documents import service
from helio.documents.content import MAX_BYTES
from helio.documents.deps import (
    Cursor,
    DocumentId,
    DocumentsCreate,
    DocumentsRead,
    Limit,
    OrderRef,
    SiteId,
    StaffDocumentsRead,
)
from helio.documents.reads import DocumentFile
from helio.documents.schemas import DocumentPage, DocumentRead
from helio.http.deps import DbSession, RequestCtx
from helio.http.security_headers import API_CSP
from helio.http.uploads import openapi_file_body, read_one_file

router = APIRouter(tags=["documents"])
staff_router = APIRouter(prefix="/staff/documents", tags=["staff"])

_ERROR = {"description": "the error envelope"}
UPLOAD_ERRORS: dict[int | str, dict[str, Any]] = {
    404: _ERROR, 413: _ERROR, 415: _ERROR, 422: _ERROR, 503: _ERROR, 507: _ERROR,
}  # fmt: skip
_FILE_TYPES: dict[str, dict[str, Any]] = {"image/jpeg": {}, "image/png": {}, "application/pdf": {}}
DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {"description": "the file, as an attachment", "content": _FILE_TYPES},
    404: _ERROR,
}


def attachment(file: DocumentFile) -> Response:
    """The file as a download that no browser renders or runs in the app's origin."""
    headers = {
        "Content-Disposition": f'attachment; filename="{file.download_name}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": f"{API_CSP}; sandbox",
        "Cache-Control": "no-store",
    }
    return Response(file.data, media_type=file.media_type, headers=headers)


_FILE = "a roof photo (JPEG or PNG) or a bill (PDF), at most 10 MB"


@router.post(
    "/sites/{site_id}/documents",
    status_code=201,
    responses=UPLOAD_ERRORS,
    openapi_extra=openapi_file_body(_FILE),
)
async def upload_document(
    site_id: SiteId,
    request: Request,
    access: DocumentsCreate,
    ctx: RequestCtx,
    session: DbSession,
    order_id: OrderRef = None,
) -> DocumentRead:
    """Attach a roof photo (JPEG/PNG) or a bill (PDF) to your site, and to an order on it."""
    read = partial(read_one_file, request, max_bytes=MAX_BYTES)
    return await service.upload(
        session, ctx.with_access(access), site_id=site_id, order_id=order_id, read=read
    )


@router.get("/documents")
async def list_documents(
    access: DocumentsRead, ctx: RequestCtx, session: DbSession, limit: Limit = 20,
    cursor: Cursor = None,
) -> DocumentPage:  # fmt: skip
    """List your documents, newest first."""
    return await service.list_documents(
        session, ctx.with_access(access), limit=limit, cursor=cursor
    )


@router.get("/documents/{doc_id}", response_class=Response, responses=DOWNLOAD)
async def download_document(
    doc_id: DocumentId, access: DocumentsRead, ctx: RequestCtx, session: DbSession
) -> Response:
    """Download one of your documents (an attachment, never shown inline)."""
    return attachment(await service.download(session, ctx.with_access(access), doc_id=doc_id))


@staff_router.get("/{doc_id}", response_class=Response, responses=DOWNLOAD)
async def staff_download_document(
    doc_id: DocumentId, access: StaffDocumentsRead, ctx: RequestCtx, session: DbSession
) -> Response:
    """Download a customer's document (support, admin; engineer with a grant); audited."""
    return attachment(await service.staff_download(session, ctx.with_access(access), doc_id=doc_id))
