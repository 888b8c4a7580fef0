"""The named guards and path parameters of /quotes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from helio.auth.deps import require
from helio.authz.access import Access
from helio.authz.matrix import Perm
from helio.kit.ids import ID_PATTERN

QuotesRead = Annotated[Access, require(Perm.QUOTES_READ)]
QuotesCreate = Annotated[Access, require(Perm.QUOTES_CREATE)]
QuoteId = Annotated[str, Path(pattern=ID_PATTERN, description="opaque quote id")]
