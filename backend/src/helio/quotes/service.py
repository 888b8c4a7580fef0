"""Quotes: compute with the engine in the bounded pool, store immutable, read back scoped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from fastapi import Request
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from helio.audit.service import record
from helio.authz import scoping
from helio.authz.guards import Access
from helio.errors import Conflict, RateLimited, ValidationFailed
from helio.kit.clock import utcnow
from helio.models import EnergyUsage, Quote, Site
from helio.models.base import new_id
from helio.quotes import repository
from helio.quotes.config import quote_settings, run_cpu_bound
from helio.quotes.engine import (
    MODEL_VERSION,
    EngineConfig,
    Location,
    QuoteInputs,
    QuoteOptions,
    RoofPlane,
    Tariff,
    Usage,
    compute_quote,
)
from helio.quotes.engine_result import Quote as EngineQuote
from helio.quotes.schemas import QuoteCreate, QuotePage, QuoteRead, QuoteSummary
from helio.services import Services
from helio.sites import service as sites

OFFERED = "offered"


@dataclass(frozen=True)
class QuoteOwner:
    """Who a quote is for: a customer account, or (once leads exist) a lead worked by sales."""

    kind: Literal["customer", "lead"]
    id: str


class UsageRequired(ValidationFailed):
    code = "usage_required"
    message = "Enter the site's energy use before asking for a quote (rule QUOTE-1)."


class QuoteQuotaReached(RateLimited):
    """The owner's daily quote quota is used up (rule QUOTE-2)."""


class ModelVersionMismatch(Conflict):
    code = "model_version_mismatch"
    message = "This quote was computed by another model version and cannot be recomputed here."


async def create_quote(
    session: AsyncSession,
    access: Access,
    data: QuoteCreate,
    *,
    services: Services,
    request: Request | None = None,
) -> QuoteRead:
    """Compute and store a quote for one of the caller's sites.

    Raises:
        NotFound: not the caller's site (404, like a missing one).
        UsageRequired: the site has no energy use yet (422).
        QuoteQuotaReached: the daily quota is used up (429 with Retry-After).
        EngineBusy: the worker pool's waiting line is full (429).
        RoofTooSmall: no plane holds one panel (422).
    """
    site = await sites.require_site(session, access, data.site_id)
    usage = await sites.usage_for(session, site)
    if usage is None:
        raise UsageRequired
    inputs = site_inputs(site, usage, QuoteOptions(target_offset_pct=data.target_offset_pct))
    owner = QuoteOwner("customer", access.user_id)
    quote = await _compute_and_store(session, services, access, owner, inputs, site.id)
    await _audit(session, access, quote, sorted(data.model_fields_set), request)
    return quote_read(quote)


def site_inputs(site: Site, usage: EnergyUsage, options: QuoteOptions) -> QuoteInputs:
    """Build the engine inputs from a stored site, its usage and the requested options.

    Raises:
        ValidationFailed: stored data the engine refuses (`invalid_site_data`).
    """
    try:
        return QuoteInputs(
            location=Location(
                latitude=site.latitude, longitude=site.longitude, time_zone=site.timezone
            ),
            planes=tuple(RoofPlane.model_validate(plane) for plane in site.roof_planes),
            usage=Usage(monthly_kwh=tuple(usage.monthly_kwh)),
            tariff=Tariff(
                price_per_kwh=site.tariff_price_per_kwh,
                currency=site.tariff_currency,
                escalation_pct=float(site.tariff_escalation_pct),
            ),
            options=options,
        )
    except ValidationError:
        raise ValidationFailed(
            "The site's stored data cannot be quoted; update the site.", code="invalid_site_data"
        ) from None


async def _compute_and_store(
    session: AsyncSession,
    services: Services,
    access: Access,
    owner: QuoteOwner,
    inputs: QuoteInputs,
    site_id: str | None,
) -> Quote:
    settings = quote_settings(services)
    config = settings.engine_config()
    allowed, retry_after = await services.limiter.hit(
        settings.daily_rate, "quotes", owner.kind, owner.id
    )
    if not allowed:
        raise QuoteQuotaReached(
            retry_after, f"At most {settings.daily_limit} quotes a day.", code="quote_quota"
        )
    computed = await run_cpu_bound(services, compute_quote, inputs, config)
    quote = _row(owner, access.user_id, site_id, inputs, config, computed)
    repository.add(session, quote)
    await session.flush()
    return quote


def _row(
    owner: QuoteOwner,
    created_by: str,
    site_id: str | None,
    inputs: QuoteInputs,
    config: EngineConfig,
    computed: EngineQuote,
) -> Quote:
    now = utcnow()
    return Quote(
        id=new_id(),
        owner_type=owner.kind,
        owner_id=owner.id,
        created_by=created_by,
        site_id=site_id,
        status=OFFERED,
        model_version=computed.model_version,
        inputs_digest=computed.inputs_digest,
        inputs=stored_inputs(inputs, config),
        result=computed.to_dict(),
        system_kwp=computed.system_kwp,
        net_price=computed.price.net,
        currency=computed.price.currency,
        created_at=now,
        valid_until=now + timedelta(days=computed.valid_days),
    )


def stored_inputs(inputs: QuoteInputs, config: EngineConfig) -> dict[str, Any]:
    """Return what a quote stores to be recomputed: inputs, configuration, weather digest."""
    return {
        "inputs": inputs.model_dump(mode="json"),
        "config": config.model_dump(mode="json"),
        "weather_sha256": None,
    }


def recompute(stored: dict[str, Any], model_version: str) -> EngineQuote:
    """Recompute a stored quote from its stored inputs (same model version only).

    Raises:
        ModelVersionMismatch: the running engine is another model version (409).
    """
    if model_version != MODEL_VERSION or stored.get("weather_sha256") is not None:
        raise ModelVersionMismatch
    inputs = QuoteInputs.model_validate(stored["inputs"])
    config = EngineConfig.model_validate(stored["config"])
    return compute_quote(inputs, config)


async def get_quote(session: AsyncSession, access: Access, quote_id: str) -> QuoteRead:
    """Return one quote the caller may see.

    Raises:
        NotFound: missing or not the caller's (the same 404).
    """
    quote = await repository.get_visible(session, access, quote_id)
    return quote_read(scoping.visible_or_404(quote, access, "quote"))


async def list_quotes(
    session: AsyncSession, access: Access, *, limit: int, cursor: str | None
) -> QuotePage:
    """Return one page of the quotes the caller may see, newest first."""
    rows = await repository.page(session, access, limit=limit, after=cursor)
    if rows is None:
        raise sites.InvalidCursor
    items = [quote_summary(q) for q in rows[:limit]]
    return QuotePage(items=items, next_cursor=rows[limit - 1].id if len(rows) > limit else None)


def quote_summary(quote: Quote) -> QuoteSummary:
    """Return the headline figures of a stored quote."""
    return QuoteSummary.model_validate(_summary_fields(quote))


def quote_read(quote: Quote) -> QuoteRead:
    """Return a stored quote in full."""
    return QuoteRead.model_validate(
        {**_summary_fields(quote), "inputs": quote.inputs, "result": quote.result}
    )


def _summary_fields(quote: Quote) -> dict[str, Any]:
    names = ("id", "site_id", "status", "model_version", "inputs_digest", "currency")
    return {
        **{name: getattr(quote, name) for name in names},
        "system_kwp": float(quote.system_kwp),
        "net_price": quote.net_price,
        "created_at": quote.created_at,
        "valid_until": quote.valid_until,
        "expired": quote.valid_until <= utcnow(),
    }


async def _audit(
    session: AsyncSession,
    access: Access,
    quote: Quote,
    fields: list[str],
    request: Request | None,
) -> None:
    await record(
        session,
        action="quotes.create",
        actor=access.principal,
        resource_type="quote",
        resource_id=quote.id,
        request=request,
        details={"fields": fields, "site_id": quote.site_id, "owner_type": quote.owner_type},
    )
