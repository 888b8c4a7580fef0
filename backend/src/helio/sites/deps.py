"""The named guards of /sites."""

from __future__ import annotations

from typing import Annotated

from helio.authz.access import Access
from helio.authz.guards import require
from helio.authz.matrix import Perm

SitesReader = Annotated[Access, require(Perm.SITES_READ)]
SitesWriter = Annotated[Access, require(Perm.SITES_WRITE)]
