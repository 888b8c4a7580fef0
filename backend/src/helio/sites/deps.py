"""The named guards of /sites."""

from __future__ import annotations

from typing import Annotated

from helio.authz.guards import Access, require
from helio.authz.matrix import Perm

SitesReader = Annotated[Access, require(Perm.SITES_READ)]
SitesWriter = Annotated[Access, require(Perm.SITES_WRITE)]
