"""The named guards of /me."""

from __future__ import annotations

from typing import Annotated

from helio.auth.deps import require
from helio.authz.access import Access
from helio.authz.matrix import Perm

ProfileRead = Annotated[Access, require(Perm.PROFILE_READ)]
ProfileUpdate = Annotated[Access, require(Perm.PROFILE_UPDATE)]
DataExport = Annotated[Access, require(Perm.DATA_EXPORT)]
AccountDelete = Annotated[Access, require(Perm.ACCOUNT_DELETE)]
