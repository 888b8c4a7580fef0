"""The named guards and path parameters of /sites."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from helio.auth.deps import require
from helio.authz.access import Access
from helio.authz.matrix import Perm
from helio.kit.ids import ID_PATTERN

SitesRead = Annotated[Access, require(Perm.SITES_READ)]
SitesWrite = Annotated[Access, require(Perm.SITES_WRITE)]
SiteId = Annotated[str, Path(pattern=ID_PATTERN, description="opaque site id")]
