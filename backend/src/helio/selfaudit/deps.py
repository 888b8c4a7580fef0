"""The self-audit's named guard."""

from __future__ import annotations

from typing import Annotated

from helio.auth.deps import require
from helio.authz.access import Access
from helio.authz.matrix import Perm

SelfAuditRead = Annotated[Access, require(Perm.SELF_AUDIT_READ)]
