"""Quotes: compute with the engine in the bounded pool, store immutable, read back scoped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Target
from helio.authz import scoping
from helio.errors import NotFound, ValidationFailed
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.models import EnergyUsage, Quote, Site
from helio.platform.context import Ctx
from helio.platform.quote_settings import QuoteSettings
from helio.quotes import repository
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
from helio.quotes.engine_inputs import PanelModel
from helio.quotes.engine_result import Quote as EngineQuote
from helio.quotes.exceptions import (
    ModelVersionMismatch,
    QuoteQuotaReached,
    UsageRequired,
    WeatherMismatch,
)
from helio.quotes.schemas import QuoteCreate, QuotePage, QuoteRead, QuoteSummaryRead
from helio.quotes.weather import (
    CLEAR_SKY_REFERENCE,
    WeatherChoice,
    stored_weather,
    weather_digest,
    weather_for,
    with_weather_note,
)
from helio.sites import service as sites

OFFERED = "offered"
QUOTE = "quote"


@dataclass(frozen=True)
class QuoteOwner:
    """Who a quote is for: a customer account, or (once leads exist) a lead worked by sales."""

    kind: Literal["customer", "lead"]
    id: str


def engine_config(settings: QuoteSettings) -> EngineConfig:
    """Return the engine configuration the quote settings describe."""
    return EngineConfig(
        panel=PanelModel(
            name=settings.panel_name, watts=settings.panel_watts, area_m2=settings.panel_area_m2
        ),
        price_per_watt=settings.price_per_watt,
        fixed_costs=settings.fixed_costs,
        incentive_fraction=settings.incentive_fraction,
        degradation_pct_per_year=settings.degradation_pct_per_year,
        co2_kg_per_kwh=settings.co2_kg_per_kwh,
        validity_days=settings.validity_days,
    )


async def create_quote(session: AsyncSession, ctx: Ctx, *, data: QuoteCreate) -> QuoteRead:
    """Compute and store a quote for one of the caller's sites.

    Raises:
        NotFound: not the caller's site (404, like a missing one).
        UsageRequired: the site has no energy use yet (422).
        QuoteQuotaReached: the daily quota is used up (429 with Retry-After).
        PoolBusy: the worker pool's waiting line is full (429).
        RoofTooSmall: no plane holds one panel (422).

    A configured weather service that fails never fails the quote: it falls back to clear
    sky and the quote's assumptions say so.
    """
    site = await sites.require_site(session, ctx, site_id=data.site_id)
    usage = await sites.usage_for(session, ctx, site=site)
    if usage is None:
        raise UsageRequired
    inputs = site_inputs(site, usage, QuoteOptions(target_offset_pct=data.target_offset_pct))
    owner = QuoteOwner("customer", ctx.caller.user_id)
    quote = await _compute_and_store(session, ctx, owner, inputs, site.id)
    await audit.record(
        session,
        ctx,
        AuditAction.QUOTE_CREATED,
        target=Target(QUOTE, quote.id),
        details={
            "fields": sorted(data.model_fields_set),
            "site_id": quote.site_id,
            "owner_type": quote.owner_type,
        },
    )
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
    session: AsyncSession, ctx: Ctx, owner: QuoteOwner, inputs: QuoteInputs, site_id: str | None
) -> Quote:
    app = ctx.app
    settings = app.quote_settings
    config = engine_config(settings)
    allowed, retry_after = await app.limiter.hit(
        settings.daily_rate, "quotes", owner.kind, owner.id
    )
    if not allowed:
        raise QuoteQuotaReached(
            retry_after, f"At most {settings.daily_limit} quotes a day.", code="quote_quota"
        )
    # After the quota: a caller over it never causes an outbound call.
    choice = await weather_for(app, inputs.location)
    computed, stored = await app.cpu.run(_run_engine, inputs, config, choice)
    quote = _row(owner, ctx.caller.user_id, site_id, stored, computed)
    repository.add(session, quote)
    try:
        await session.flush()
    except IntegrityError as exc:  # the site was deleted while its quote was computed
        raise NotFound() from exc
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


async def recompute_stored(ctx: Ctx, *, stored: dict[str, Any], model_version: str) -> EngineQuote:
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
        weather = await stored_weather(ctx.app, stored.get("weather") or {}, location)
    return await ctx.app.cpu.run(recompute, stored, model_version, weather)


async def get_quote(session: AsyncSession, ctx: Ctx, *, quote_id: str) -> QuoteRead:
    """Return one quote the caller may see.

    Raises:
        NotFound: missing or not the caller's (the same 404).
    """
    access = ctx.caller
    quote = await repository.get_visible(session, access, quote_id)
    return quote_read(scoping.visible_or_404(quote, access, QUOTE))


async def list_quotes(
    session: AsyncSession, ctx: Ctx, *, limit: int, cursor: str | None
) -> QuotePage:
    """Return one page of the quotes the caller may see, newest first.

    Raises:
        InvalidCursor: a cursor this list did not issue (400).
    """
    rows, next_cursor = await repository.page(session, ctx.caller, cursor=cursor, limit=limit)
    return QuotePage(items=[quote_summary(q) for q in rows], next_cursor=next_cursor)


def quote_summary(quote: Quote) -> QuoteSummaryRead:
    """Return the headline figures of a stored quote."""
    return QuoteSummaryRead.model_validate(_summary_fields(quote))


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
