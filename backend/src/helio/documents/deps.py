"""The named guards and typed parameters of /documents and /staff/documents."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from helio.auth.deps import require
from helio.authz.access import Access
from helio.authz.matrix import Perm
from helio.kit.ids import ID_PATTERN
from helio.kit.pagination import CURSOR_PATTERN

DocumentsRead = Annotated[Access, require(Perm.DOCUMENTS_READ)]
DocumentsCreate = Annotated[Access, require(Perm.DOCUMENTS_CREATE)]
StaffDocumentsRead = Annotated[Access, require(Perm.STAFF_DOCUMENTS_READ)]

DocumentId = Annotated[str, Path(pattern=ID_PATTERN, description="opaque document id")]
SiteId = Annotated[str, Path(pattern=ID_PATTERN, description="opaque site id")]
OrderRef = Annotated[
    str | None, Query(pattern=ID_PATTERN, description="one of your orders on this site")
]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(pattern=CURSOR_PATTERN, description="next_cursor of a page")]
