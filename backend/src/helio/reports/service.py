"""The pipeline report: leads and orders by month and stage, counted and summed in SQL.

Only aggregates leave the database: no id, name or address is read, so the report
cannot name anyone whatever the caller's reach.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from helio.kit.clock import utcnow
from helio.leads import service as leads
from helio.orders import service as orders
from helio.platform.context import Ctx
from helio.reports.schemas import PipelineRead, PipelineRowRead


def first_of_month(months_back: int, now: datetime) -> datetime:
    """Return the first day (00:00) of the month `months_back` - 1 months before `now`'s."""
    index = now.year * 12 + now.month - 1 - (months_back - 1)
    return datetime(index // 12, index % 12 + 1, 1)


def _row(
    kind: Literal["lead", "order"], counted: leads.PipelineCount | orders.PipelineCount
) -> PipelineRowRead:
    return PipelineRowRead(
        month=counted.month,
        kind=kind,
        stage=counted.status,
        currency=counted.currency,
        count=counted.count,
        value=counted.value,
    )


async def pipeline(session: AsyncSession, ctx: Ctx, *, months: int) -> PipelineRead:
    """Return lead and order counts and values by month and stage over the last `months`."""
    since = first_of_month(months, utcnow())
    rows = [_row("lead", c) for c in await leads.pipeline(session, ctx, since=since)]
    rows += [_row("order", c) for c in await orders.pipeline(session, ctx, since=since)]
    rows.sort(key=lambda row: (row.month, row.kind, row.stage, row.currency or ""))
    return PipelineRead(since=since, rows=rows)
