"""The named guards and parameters of staff administration and the access review."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from helio.auth.deps import require
from helio.authz.access import Access
from helio.authz.matrix import Perm
from helio.staff.admin.schemas import StaffQuery

StaffRead = Annotated[Access, require(Perm.STAFF_READ)]
StaffManage = Annotated[Access, require(Perm.STAFF_MANAGE)]
AccessReview = Annotated[Access, require(Perm.ACCESS_REVIEW)]
StaffId = Annotated[str, Path(max_length=64)]
StaffParams = Annotated[StaffQuery, Query()]
