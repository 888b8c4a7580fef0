"""The named guards and parameters of /leads and /staff/leads."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from helio.auth.deps import require
from helio.authz.access import Access
from helio.authz.matrix import Perm
from helio.kit.ids import ID_PATTERN
from helio.leads.schemas import LeadQuery

LeadsRead = Annotated[Access, require(Perm.LEADS_READ)]
LeadsWrite = Annotated[Access, require(Perm.LEADS_WRITE)]
LeadsConvert = Annotated[Access, require(Perm.LEADS_CONVERT)]
LeadId = Annotated[str, Path(pattern=ID_PATTERN, description="opaque lead id")]
LeadParams = Annotated[LeadQuery, Query()]
