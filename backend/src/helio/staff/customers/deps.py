"""The named guards and parameters of /staff/customers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from helio.auth.deps import require
from helio.authz.access import Access
from helio.authz.matrix import Perm
from helio.staff.customers.schemas import SearchQuery

CustomersRead = Annotated[Access, require(Perm.CUSTOMERS_READ)]
CustomersReveal = Annotated[Access, require(Perm.CUSTOMERS_REVEAL)]
CustomersManage = Annotated[Access, require(Perm.CUSTOMERS_MANAGE)]
CustomerId = Annotated[str, Path(max_length=64)]
SearchParams = Annotated[SearchQuery, Query()]
