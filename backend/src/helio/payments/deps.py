"""The named guard and parameters of the payment routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Path

from helio.auth.deps import require
from helio.authz.access import Access
from helio.authz.matrix import Perm
from helio.kit.ids import ID_PATTERN
from helio.payments.signing import HEADER, MAX_HEADER_CHARS

PaymentsCreate = Annotated[Access, require(Perm.PAYMENTS_CREATE)]
OrderId = Annotated[str, Path(pattern=ID_PATTERN, description="opaque order id")]
Signature = Annotated[
    str | None,
    Header(
        alias=HEADER,
        max_length=MAX_HEADER_CHARS,
        description='t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">',
    ),
]
