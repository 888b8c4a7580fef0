"""The named guards of the operational and security views."""

from __future__ import annotations

from typing import Annotated

from helio.auth.deps import require
from helio.authz.access import Access
from helio.authz.matrix import Perm

OpsRead = Annotated[Access, require(Perm.OPS_READ)]
AuditRead = Annotated[Access, require(Perm.AUDIT_READ)]
AlertsManage = Annotated[Access, require(Perm.ALERTS_MANAGE)]
