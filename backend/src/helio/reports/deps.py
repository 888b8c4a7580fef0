"""The named guard and parameters of /staff/reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from helio.auth.deps import require
from helio.authz.access import Access
from helio.authz.matrix import Perm
from helio.reports.schemas import PipelineQuery

ReportsRead = Annotated[Access, require(Perm.REPORTS_READ)]
PipelineParams = Annotated[PipelineQuery, Query()]
