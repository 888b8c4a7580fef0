"""Input and output of /staff/reports."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from helio.kit.schemas import StrictQuery, UtcTime


class PipelineQuery(StrictQuery):
    """GET /staff/reports/pipeline: how many months back, this one included."""

    months: int = Field(default=12, ge=1, le=36)


class PipelineRowRead(BaseModel):
    """Leads or orders made in one month, now at one stage, in one currency."""

    month: str = Field(description="YYYY-MM, when the lead came or the order was placed")
    kind: Literal["lead", "order"]
    stage: str
    currency: str | None = Field(description="null for leads without an estimated value")
    count: int
    value: Decimal = Field(description="sum of estimated values (leads) or prices (orders)")


class PipelineRead(BaseModel):
    """The pipeline: counts and values by stage and month; no personal data."""

    since: UtcTime
    rows: list[PipelineRowRead]
