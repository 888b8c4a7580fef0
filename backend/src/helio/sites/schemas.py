"""Inputs and outputs of /sites: strict, range-checked, never carrying owner or ids."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from helio.kit.pagination import Page
from helio.kit.schemas import StrictInput, UtcTime, sent_not_null
from helio.kit.text import (
    SITE_LABEL_CHARS,
    AddressLine,
    City,
    OptionalAddressLine,
    PostalCode,
    Region,
    chars,
)
from helio.sites.rules import COUNTRY_CODES, check_country, check_time_zone, time_zone_fits

MAX_ROOF_PLANES = 4
SUPPORTED_CURRENCIES = frozenset({"USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF"})


def _scale(places: int) -> Callable[[Decimal], Decimal]:
    # The scale of the DECIMAL column, so a response shows what a later read returns.
    step = Decimal(1).scaleb(-places)
    return lambda value: value.quantize(step)


Label = Annotated[str, chars(SITE_LABEL_CHARS)]


class AddressCreate(StrictInput):
    """A postal address; stored encrypted, bound to its site row."""

    line1: AddressLine
    line2: OptionalAddressLine | None = None
    city: City
    region: Region | None = None
    postal_code: PostalCode
    country: Annotated[
        str,
        Field(pattern=r"^[A-Z]{2}$", json_schema_extra={"enum": list(COUNTRY_CODES)}),
        AfterValidator(check_country),
    ]


class RoofPlaneCreate(StrictInput):
    """One roof plane: area m², tilt °, azimuth ° clockwise from north, shading loss %."""

    area_m2: float = Field(gt=0, le=1000)
    tilt_deg: float = Field(ge=0, le=60)
    azimuth_deg: float = Field(ge=0, lt=360)
    shading_loss_pct: float = Field(default=0.0, ge=0, le=80)


class TariffCreate(StrictInput):
    """The utility tariff: price per kWh, ISO 4217 currency and yearly escalation %."""

    # Money and rates: a JSON number or a decimal string (never a boolean), as for leads.
    price_per_kwh: Annotated[
        Decimal,
        Field(gt=0, le=5, max_digits=10, decimal_places=5, strict=False),
        AfterValidator(_scale(5)),
    ]
    currency: str = Field(
        pattern=r"^[A-Z]{3}$", json_schema_extra={"enum": [*sorted(SUPPORTED_CURRENCIES)]}
    )
    escalation_pct: Annotated[
        Decimal, Field(ge=-5, le=15, decimal_places=3, strict=False), AfterValidator(_scale(3))
    ] = Decimal("2.500")

    @field_validator("currency")
    @classmethod
    def _supported(cls, value: str) -> str:
        if value not in SUPPORTED_CURRENCIES:
            raise PydanticCustomError(
                "unsupported_currency",
                "Quotes are priced in {allowed} only.",
                {"allowed": ", ".join(sorted(SUPPORTED_CURRENCIES))},
            )
        return value


TimeZone = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(check_time_zone)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
RoofPlanes = Annotated[list[RoofPlaneCreate], Field(min_length=1, max_length=MAX_ROOF_PLANES)]


class SiteCreate(StrictInput):
    """POST /sites: a property. Owner, ids and timestamps come from the server."""

    label: Label | None = None
    address: AddressCreate
    latitude: Latitude
    longitude: Longitude
    timezone: TimeZone
    roof_planes: RoofPlanes
    tariff: TariffCreate

    @model_validator(mode="after")
    def _zone_matches_place(self) -> SiteCreate:
        time_zone_fits(self.timezone, self.longitude)
        return self


class SiteUpdate(StrictInput):
    """PATCH /sites/{id}: any subset of the editable fields; only `label` may be null."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    label: Label | None = None
    address: AddressCreate | None = Field(default=None, json_schema_extra=sent_not_null)
    latitude: Latitude | None = Field(default=None, json_schema_extra=sent_not_null)
    longitude: Longitude | None = Field(default=None, json_schema_extra=sent_not_null)
    timezone: TimeZone | None = Field(default=None, json_schema_extra=sent_not_null)
    roof_planes: RoofPlanes | None = Field(default=None, json_schema_extra=sent_not_null)
    tariff: TariffCreate | None = Field(default=None, json_schema_extra=sent_not_null)

    @model_validator(mode="after")
    def _no_nulls(self) -> SiteUpdate:
        if not self.model_fields_set:
            raise PydanticCustomError("empty_update", "Send at least one field to change.")
        nulls = sorted(f for f in self.model_fields_set - {"label"} if getattr(self, f) is None)
        if nulls:
            raise PydanticCustomError(
                "null_not_allowed", "These fields cannot be null: {names}.", {"names": nulls}
            )
        return self


class UsageUpdate(StrictInput):
    """PUT /sites/{id}/usage as JSON: twelve monthly kWh figures, January first."""

    monthly_kwh: list[Annotated[float, Field(ge=0, le=1_000_000)]] = Field(
        min_length=12, max_length=12
    )

    @field_validator("monthly_kwh")
    @classmethod
    def _some_use(cls, value: list[float]) -> list[float]:
        if sum(value) < 1:
            raise PydanticCustomError("no_usage", "The year's use must be at least 1 kWh.")
        return value


class AddressRead(BaseModel):
    """The decrypted address, shown to its owner only."""

    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str
    country: str


class RoofPlaneRead(BaseModel):
    """A stored roof plane."""

    area_m2: float
    tilt_deg: float
    azimuth_deg: float
    shading_loss_pct: float


class TariffRead(BaseModel):
    """A stored tariff; the price is a decimal string."""

    price_per_kwh: Decimal
    currency: str
    escalation_pct: Decimal


class UsageRead(BaseModel):
    """A site's energy use: twelve monthly kWh and whether an hourly profile exists."""

    source: str = Field(description="manual or green_button")
    monthly_kwh: list[float]
    annual_kwh: float
    has_hourly_profile: bool
    updated_at: UtcTime


class SiteRead(BaseModel):
    """A site as its owner sees it."""

    id: str
    label: str | None
    address: AddressRead | None
    latitude: float
    longitude: float
    timezone: str
    roof_planes: list[RoofPlaneRead]
    tariff: TariffRead
    usage: UsageRead | None
    created_at: UtcTime
    updated_at: UtcTime | None


class SitePage(Page[SiteRead]):
    """One page of sites."""
