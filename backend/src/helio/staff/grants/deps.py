"""The named guards and parameters of the grant routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from helio.auth.deps import require
from helio.authz.access import Access
from helio.authz.matrix import Perm
from helio.staff.grants.schemas import GrantQuery

GrantsRequest = Annotated[Access, require(Perm.GRANTS_REQUEST)]
GrantsRead = Annotated[Access, require(Perm.GRANTS_READ)]
GrantsDecide = Annotated[Access, require(Perm.GRANTS_DECIDE)]
GrantsRevoke = Annotated[Access, require(Perm.GRANTS_REVOKE)]
GrantId = Annotated[str, Path(max_length=64)]
GrantParams = Annotated[GrantQuery, Query()]
