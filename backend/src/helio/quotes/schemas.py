"""Inputs and outputs of /quotes: the request names a site and options, never a price."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from helio.kit.ids import ID_PATTERN
from helio.kit.pagination import Page
from helio.kit.schemas import StrictInput, UtcTime


class QuoteCreate(StrictInput):
    """POST /quotes: which site, and how much of its yearly use the system should cover."""

    site_id: str = Field(pattern=ID_PATTERN)
    target_offset_pct: float = Field(default=100.0, ge=1, le=200)


class QuoteSummaryRead(BaseModel):
    """A stored quote's headline figures (list view)."""

    id: str
    site_id: str | None = Field(description="null once the site was deleted")
    status: str
    model_version: str
    inputs_digest: str
    system_kwp: float
    net_price: Decimal = Field(description="decimal string, two places")
    currency: str
    created_at: UtcTime
    valid_until: UtcTime
    expired: bool


class QuoteRead(QuoteSummaryRead):
    """A stored quote in full: the inputs it was computed from and the engine's result."""

    inputs: dict[str, Any] = Field(description="inputs, engine configuration and weather digest")
    result: dict[str, Any] = Field(
        description="the engine's quote: sizing, production, price, savings, assumptions"
    )


class QuotePage(Page[QuoteSummaryRead]):
    """One page of quotes, newest first."""
