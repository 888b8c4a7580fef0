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
from helio.authz.access import Access
from helio.errors import Conflict, RateLimited, ValidationFailed
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.models import EnergyUsage, Quote, Site
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
    TmyWeather,
    Usage,
    WeatherInvalid,
    compute_quote,
)
from helio.quotes.engine_result import Quote as EngineQuote
from helio.quotes.schemas import QuoteCreate, QuotePage, QuoteRead, QuoteSummary
from helio.quotes.weather import (
    CLEAR_SKY_REFERENCE,
    WeatherChoice,
    stored_weather,
    weather_digest,
    weather_for,
    with_weather_note,
)
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


class WeatherMismatch(Conflict):
    code = "weather_mismatch"
    message = "This weather year is not the one the quote was computed from."


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

    A configured weather service that fails never fails the quote: it falls back to clear
    sky and the quote's assumptions say so.
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
    # After the quota: a caller over it never causes an outbound call.
    choice = await weather_for(services, inputs.location)
    computed, stored = await run_cpu_bound(services, _run_engine, inputs, config, choice)
    quote = _row(owner, access.user_id, site_id, stored, computed)
    repository.add(session, quote)
    await session.flush()
    return quote


def _run_engine(
    inputs: QuoteInputs, config: EngineConfig, choice: WeatherChoice
) -> tuple[EngineQuote, dict[str, Any]]:
    weather_sha256 = None
    if choice.weather is not None:
        try:
            weather_sha256 = weather_digest(inputs.location, choice.weather, config)
        except WeatherInvalid:
            choice = choice.fall_back("weather_refused_by_engine")
    computed = compute_quote(inputs, config, weather=choice.weather)
    stored = stored_inputs(inputs, config, choice.reference, weather_sha256)
    return with_weather_note(computed, choice.reference), stored


def _row(
    owner: QuoteOwner,
    created_by: str,
    site_id: str | None,
    stored: dict[str, Any],
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
        inputs=stored,
        result=computed.to_dict(),
        system_kwp=computed.system_kwp,
        net_price=computed.price.net,
        currency=computed.price.currency,
        created_at=now,
        valid_until=now + timedelta(days=computed.valid_days),
    )


def stored_inputs(
    inputs: QuoteInputs,
    config: EngineConfig,
    weather: dict[str, Any] | None = None,
    weather_sha256: str | None = None,
) -> dict[str, Any]:
    """Return what a quote stores to be recomputed: inputs, configuration and its weather.

    `weather` says where the weather came from (clear sky, a fallback and why, or a TMY's
    cell, cache key and service hash — never the service URL); `weather_sha256` is the
    engine's digest of a TMY, so a recomputation can prove it used the same year.
    """
    return {
        "inputs": inputs.model_dump(mode="json"),
        "config": config.model_dump(mode="json"),
        "weather": dict(weather or CLEAR_SKY_REFERENCE),
        "weather_sha256": weather_sha256,
    }


def recompute(
    stored: dict[str, Any], model_version: str, weather: TmyWeather | None = None
) -> EngineQuote:
    """Recompute a stored quote from its stored inputs (same model version and weather only).

    Raises:
        ModelVersionMismatch: the running engine is another model version (409).
        WeatherMismatch: the quote used a TMY and `weather` is missing or another year, or
            it used clear sky and a year was given (409).
    """
    if model_version != MODEL_VERSION:
        raise ModelVersionMismatch
    inputs = QuoteInputs.model_validate(stored["inputs"])
    config = EngineConfig.model_validate(stored["config"])
    expected = stored.get("weather_sha256")
    if (expected is None) != (weather is None):
        raise WeatherMismatch
    if weather is not None:
        try:
            same = weather_digest(inputs.location, weather, config) == expected
        except WeatherInvalid:
            same = False
        if not same:
            raise WeatherMismatch
    computed = compute_quote(inputs, config, weather=weather)
    return with_weather_note(computed, stored.get("weather") or {})


async def recompute_stored(
    services: Services, stored: dict[str, Any], model_version: str
) -> EngineQuote:
    """Recompute a stored quote in the worker pool, getting its TMY again when it used one.

    Raises:
        ModelVersionMismatch: another model version (409).
        WeatherUnavailable: its weather year cannot be had from the cache or the service (409).
        WeatherMismatch: the service now answers with another year (409).
    """
    if model_version != MODEL_VERSION:
        raise ModelVersionMismatch
    weather = None
    if stored.get("weather_sha256") is not None:
        location = Location.model_validate(stored["inputs"]["location"])
        weather = await stored_weather(services, stored.get("weather") or {}, location)
    return await run_cpu_bound(services, recompute, stored, model_version, weather)


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
