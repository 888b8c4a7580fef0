"""Every string field of every request body, at its limit, through the real API: never a 5xx.

The fields come from the app's OpenAPI document, not from a list: for each
operation with a JSON body, each string field (nested objects and arrays too)
is set to its longest allowed value in 4-byte characters, then in control
characters, then in a lone surrogate (`\\ud800`: valid JSON, no character), in an
otherwise valid body sent by a caller who may use the route.

- Free text (no pattern, format or enum, not a secret or a checked value such as
  a phone number) at its limit in 4-byte characters is accepted (2xx) where the
  baseline body is accepted: the column behind it holds it.
- Free text with control characters or a lone surrogate is refused with a 422 envelope.
- Nothing answers 5xx.

`BASELINES` holds one valid body per operation; an operation with a body and no
baseline fails the coverage test, so a new route is covered the day it is added.
"""

from __future__ import annotations

import copy as copy_module
import dataclasses
import itertools
import json
import secrets
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any

import pytest
from fastapi import FastAPI
from tests.authz.authz_world import ANONYMOUS, World, build_world
from tests.factories.accounts import new_account
from tests.factories.leads import lead_body
from tests.factories.orders import make_quote, place_order
from tests.factories.sites import MONTHLY_KWH, SITE_BODY
from tests.fixtures.apps import use
from tests.fixtures.principals import TEST_POLICY

from helio.authz.matrix import Role
from helio.config import Settings
from helio.main import create_app
from helio.platform.app import App

pytestmark = [pytest.mark.mysql, pytest.mark.redis]

Path = tuple[str | int, ...]
FOUR_BYTE = "𝒜😀𠀀𝔅"  # mathematical script, emoji, CJK extension B: 4 bytes each in UTF-8
CONTROLS = "A\x00\x1b\r\n\u202e\x07\x7f\u2028"
# Valid JSON (an escape) that is no character: UTF-8 cannot encode it.
LONE_SURROGATE = "A\ud800"
PROBES = {"4-byte": FOUR_BYTE, "controls": CONTROLS, "lone surrogate": LONE_SURROGATE}
# Length of a probe for a string with a pattern but no maxLength.
PATTERN_PROBE = 64
REASON = "Checking the limits of every request field"
# String fields whose value the server checks beyond its length and characters: a
# phone number, a time zone, a sink's address, secrets and one-time codes. They must
# never cause a 5xx, but arbitrary text is not expected to be accepted.
CHECKED = frozenset(
    {
        "phone",
        "timezone",
        "target",
        "password",
        "new_password",
        "current_password",
        "token",
        "mfa_token",
        "code",
        "refresh_token",
    }
)

Body = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Baseline:
    """A valid request of one operation: who sends it, its body and whether it succeeds.

    `accepted`: the baseline answers 2xx, so free text at its limit must too. It is
    False where the request cannot succeed in a test (a made-up token, a signature).
    """

    who: str
    body: Body
    accepted: bool = True
    headers: Callable[[], dict[str, str]] = dict
    # Another body for the fields under a top-level key the main body cannot carry.
    variants: dict[str, Body] = dataclasses.field(default_factory=dict)

    def for_field(self, path: Path) -> Body:
        """Return the body to probe the field at `path` in."""
        return self.variants.get(str(path[0]), self.body) if path else self.body


def fixed(body: dict[str, Any]) -> Body:
    return lambda _world: body


ADDRESS = {
    "line1": "1 Dolores Street",
    "line2": "Flat 2",
    "city": "San Francisco",
    "region": "CA",
    "postal_code": "94110",
    "country": "US",
}
FULL_SITE = {**SITE_BODY, "address": ADDRESS}
CUSTOMER, SUPPORT, SALES, ADMIN = (
    r.value for r in (Role.CUSTOMER, Role.SUPPORT, Role.SALES, Role.ADMIN)
)
# customer_b: the account whose wrong passwords and codes may lock it (nobody else's).
PROBE = "customer_b"
FAKE_TOKEN = "x" * 43
WINDOW = {"starts_at": "2031-03-03T09:00:00+01:00", "ends_at": "2031-03-03T12:00:00+01:00"}

BASELINES: dict[str, Baseline] = {
    "POST /api/v1/auth/register": Baseline(
        ANONYMOUS,
        fixed(
            {
                "email": "new.person@example.org",
                "password": "quiet-otter-velvet-93",
                "full_name": "New Person",
            }
        ),
    ),
    "POST /api/v1/auth/verify-email": Baseline(ANONYMOUS, fixed({"token": FAKE_TOKEN}), False),
    "POST /api/v1/auth/password/forgot": Baseline(ANONYMOUS, fixed({"email": "jane@example.com"})),
    "POST /api/v1/auth/password/reset": Baseline(
        ANONYMOUS, fixed({"token": FAKE_TOKEN, "new_password": "quiet-otter-velvet-93"}), False
    ),
    "POST /api/v1/auth/password/change": Baseline(
        PROBE,
        fixed({"current_password": "not-the-password", "new_password": "quiet-otter-velvet-93"}),
        False,
    ),
    "POST /api/v1/auth/login": Baseline(
        ANONYMOUS, fixed({"email": "nobody@example.org", "password": "wrong"}), False
    ),
    "POST /api/v1/auth/login/mfa": Baseline(
        ANONYMOUS, fixed({"mfa_token": FAKE_TOKEN, "code": "123456"}), False
    ),
    "POST /api/v1/auth/token": Baseline(
        ANONYMOUS,
        fixed({"grant_type": "password", "email": "nobody@example.org", "password": "wrong"}),
        False,
    ),
    "POST /api/v1/auth/mfa/totp/confirm": Baseline(PROBE, fixed({"code": "123456"}), False),
    "POST /api/v1/auth/mfa/step-up": Baseline(
        PROBE, fixed({"code": "123456", "password": "wrong"}), False
    ),
    "POST /api/v1/auth/webauthn/register/verify": Baseline(
        PROBE, fixed({"credential": {}, "name": "My key"}), False
    ),
    "POST /api/v1/auth/webauthn/login/options": Baseline(
        ANONYMOUS, fixed({"mfa_token": FAKE_TOKEN}), False
    ),
    "POST /api/v1/auth/webauthn/login/verify": Baseline(
        ANONYMOUS, fixed({"mfa_token": FAKE_TOKEN, "credential": {}}), False
    ),
    "POST /api/v1/auth/webauthn/passkey/verify": Baseline(
        ANONYMOUS, fixed({"credential": {}}), False
    ),
    "PATCH /api/v1/me": Baseline(
        CUSTOMER,
        fixed({"full_name": "Jane Doe", "phone": "+1 415 555 4567", "address": ADDRESS}),
    ),
    "PATCH /api/v1/staff/customers/{customer_id}": Baseline(
        SUPPORT,
        fixed(
            {
                "full_name": "Jane Doe",
                "phone": "+1 415 555 4567",
                "address": ADDRESS,
                "reason": REASON,
            }
        ),
    ),
    "POST /api/v1/staff/customers/{customer_id}/reveal": Baseline(
        SUPPORT, fixed({"fields": ["email"], "reason": REASON})
    ),
    "POST /api/v1/staff/grants": Baseline(
        "engineer",
        lambda w: {"customer_id": w.ids["grant_customer_id"], "reason": REASON, "minutes": 30},
    ),
    "POST /api/v1/admin/staff": Baseline(
        ADMIN,
        lambda w: {
            "email": f"staff.{secrets.token_hex(4)}@helio.example",
            "full_name": "New Staff",
            "roles": ["sales"],
        },
    ),
    "PATCH /api/v1/admin/staff/{staff_id}": Baseline(ADMIN, fixed({"roles": ["sales"]})),
    "POST /api/v1/admin/access-review/attest": Baseline(ADMIN, fixed({"note": "Reviewed"})),
    "POST /api/v1/auth/invitations/accept": Baseline(
        ANONYMOUS, fixed({"token": FAKE_TOKEN, "password": "quiet-otter-velvet-93"}), False
    ),
    "POST /api/v1/sites": Baseline(CUSTOMER, fixed(FULL_SITE)),
    "PATCH /api/v1/sites/{site_id}": Baseline(
        CUSTOMER, fixed({k: v for k, v in FULL_SITE.items() if k != "roof_planes"})
    ),
    "PUT /api/v1/sites/{site_id}/usage": Baseline(CUSTOMER, fixed({"monthly_kwh": MONTHLY_KWH})),
    # A quote needs the weather service; the body has no free text.
    "POST /api/v1/quotes": Baseline(CUSTOMER, lambda w: {"site_id": w.ids["site_id"]}, False),
    "POST /api/v1/orders": Baseline(
        CUSTOMER,
        headers=lambda: {"Idempotency-Key": secrets.token_urlsafe(16)},
        body=lambda w: {
            "quote_id": w.ids["fresh_quote_id"],
            "contact": {"name": "Site Contact", "phone": "+44 20 7946 0001"},
        },
    ),
    "POST /api/v1/orders/{order_id}/cancel": Baseline(CUSTOMER, fixed({"note": "Changed plans"})),
    "PATCH /api/v1/staff/orders/{order_id}": Baseline(
        SUPPORT,
        fixed({"contact": {"name": "Site Contact", "phone": "+44 20 7946 0001"}, "reason": REASON}),
        variants={
            "survey_window": fixed({"survey_window": WINDOW, "reason": REASON}),
            "install_window": fixed({"install_window": WINDOW, "reason": REASON}),
        },
    ),
    "POST /api/v1/staff/orders/{order_id}/transition": Baseline(
        SUPPORT,
        fixed({"to": "cancelled", "note": "Cancelled on request"}),
        variants={"window": fixed({"to": "survey_scheduled", "window": WINDOW})},
    ),
    # Signed by the payment provider: an unsigned event is refused.
    "POST /api/v1/webhooks/payments": Baseline(
        ANONYMOUS,
        lambda w: {
            "id": "evt_00000000",
            "type": "payment.succeeded",
            "data": {
                "order_id": w.ids["order_id"],
                "payment_ref": "pay_00000000",
                "amount": "10.00",
                "currency": "USD",
            },
        },
        False,
    ),
    "POST /api/v1/leads": Baseline(ANONYMOUS, fixed(lead_body())),
    "POST /api/v1/staff/leads": Baseline(SALES, fixed(lead_body(email="other@example.net"))),
    "PATCH /api/v1/staff/leads/{lead_id}": Baseline(SALES, fixed({"status": "contacted"})),
    "PUT /api/v1/admin/alerts/sinks": Baseline(
        ADMIN, fixed({"sinks": [{"kind": "mail", "target": "ops@example.org"}]})
    ),
}


@dataclass(frozen=True)
class StringField:
    """A string in a request body: where it sits and what the schema says of it."""

    path: Path
    schema: dict[str, Any]
    # A decimal that may also be sent as a number: its text must be a number.
    numeric: bool = False

    @property
    def name(self) -> str:
        return next(str(p) for p in reversed(self.path) if isinstance(p, str))

    @property
    def free_text(self) -> bool:
        constrained = {"pattern", "format", "enum", "const"} & self.schema.keys()
        return not constrained and not self.numeric and self.name not in CHECKED

    def longest(self, alphabet: str) -> str:
        length = self.schema.get("maxLength", PATTERN_PROBE)
        return "".join(itertools.islice(itertools.cycle(alphabet), length))


def _openapi() -> dict[str, Any]:
    """Return the OpenAPI document of a freshly built app (at collection time)."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(env="test", data_dir=FsPath(tmp), secret_key="openapi-only-" + "k" * 40)
        return create_app(settings).openapi()


OPENAPI = _openapi()


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = OPENAPI["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def string_fields(
    schema: dict[str, Any], path: Path = (), *, numeric: bool = False
) -> Iterator[StringField]:
    """Yield every string field of a JSON schema (through refs, unions and arrays)."""
    schema = _resolve(schema)
    union = [_resolve(s) for key in ("anyOf", "oneOf", "allOf") for s in schema.get(key, ())]
    number = any(alternative.get("type") in {"number", "integer"} for alternative in union)
    for alternative in union:
        yield from string_fields(alternative, path, numeric=number)
    if schema.get("type") == "string":
        yield StringField(path, schema, numeric)
    for name, member in schema.get("properties", {}).items():
        yield from string_fields(member, (*path, name))
    if schema.get("type") == "array":
        yield from string_fields(schema.get("items", {}), (*path, 0))


def json_operations() -> dict[str, list[StringField]]:
    """Return each operation with a JSON body and the distinct string fields of that body."""
    found: dict[str, list[StringField]] = {}
    for path, methods in OPENAPI["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                fields = string_fields(content["application/json"]["schema"])
                found[f"{method.upper()} {path}"] = list({f.path: f for f in fields}.values())
    return found


OPERATIONS = json_operations()


def placed(body: dict[str, Any], path: Path, value: str) -> dict[str, Any] | None:
    """Return a copy of `body` with `value` at `path`; None when the baseline lacks its parent."""
    copy = copy_module.deepcopy(body)
    node: Any = copy
    for key in path[:-1]:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    last = path[-1]
    in_list = isinstance(node, list) and isinstance(last, int) and last < len(node)
    if not (isinstance(node, dict) or in_list):
        return None
    node[last] = value
    return copy


def test_every_operation_with_a_body_has_a_baseline() -> None:
    missing = sorted(set(OPERATIONS) - set(BASELINES))
    stale = sorted(set(BASELINES) - set(OPERATIONS))
    assert missing == [], "add a valid baseline body for these operations"
    assert stale == [], "these operations have no JSON body any more"
    assert sum(len(fields) for fields in OPERATIONS.values()) > 80


def test_every_string_field_sits_in_its_baseline() -> None:
    """Each field is probed inside a complete body (its parent object is in the baseline)."""
    world = World(app=None, app_state=None, http=None)  # type: ignore[arg-type]
    world.ids.update(
        dict.fromkeys(("grant_customer_id", "site_id", "order_id", "fresh_quote_id"), "0" * 32)
    )
    absent = [
        f"{operation} {field.path}"
        for operation, fields in OPERATIONS.items()
        for field in fields
        if placed(BASELINES[operation].for_field(field.path)(world), field.path, "x") is None
    ]
    assert absent == []


@pytest.fixture
async def world(app: FastAPI, clean: App) -> AsyncIterator[World]:
    # Thresholds out of the way: the public forms are called once per field here.
    policy = dataclasses.replace(
        TEST_POLICY,
        pow_after_public_requests=10_000,
        pow_after_address_failures=10_000,
        pow_after_network_failures=10_000,
        block_after_address_failures=10_000,
        block_after_network_failures=10_000,
    )
    use(app, auth_policy=policy)
    built = await build_world(app, clean)
    await built.sign_in(PROBE, await new_account(clean, full_name="Probe Customer", mfa=True))
    yield built
    await built.http.aclose()


async def _fresh_ids(world: World, operation: str) -> dict[str, str]:
    """Objects a successful call uses up get a new one before each call."""
    customer = world.callers[CUSTOMER].user_id
    if operation in {
        "POST /api/v1/orders/{order_id}/cancel",
        "POST /api/v1/staff/orders/{order_id}/transition",
    }:
        return {"order_id": (await place_order(world.app_state, customer)).id}
    if operation == "POST /api/v1/orders":
        return {"fresh_quote_id": await make_quote(world.app_state, customer)}
    if operation == "POST /api/v1/staff/grants":
        return {"grant_customer_id": await new_account(world.app_state)}
    return {}


async def _undo(world: World, operation: str, answer: Any) -> None:
    """Delete what a successful call made when a per-customer limit would refuse the next."""
    if operation == "POST /api/v1/sites" and answer.status_code == 201:
        site = f"/api/v1/sites/{answer.json()['id']}"
        assert (await world.call(CUSTOMER, "DELETE", site)).status_code == 204


def _problem(field: StringField, alphabet: str, baseline: Baseline, answer: Any) -> str | None:
    """Return what is wrong with an answer to a probe, or None."""
    status = answer.status_code
    if status >= 500:
        return f"{status} {answer.text[:200]}"
    refused = alphabet in {CONTROLS, LONE_SURROGATE}
    if field.free_text and refused and not _envelope_422(answer):
        return f"{status}, want a 422 envelope"
    accept = field.free_text and baseline.accepted and alphabet == FOUR_BYTE
    if accept and not 200 <= status < 300:
        return f"{status}, want it accepted: {answer.text[:200]}"
    return None


def _envelope_422(answer: Any) -> bool:
    code = answer.json().get("error", {}).get("code")
    return bool(answer.status_code == 422 and code == "validation_failed")


async def _send(world: World, operation: str, body: dict[str, Any]) -> Any:
    """Send one request of an operation as its baseline caller, with fresh objects."""
    baseline = BASELINES[operation]
    method, path = operation.split(" ", 1)
    headers = {} if baseline.who == ANONYMOUS else world.callers[baseline.who].headers
    answer = await world.http.request(
        method,
        world.url(path),
        # ASCII-escaped JSON: a lone surrogate travels as the \\uXXXX escape a client would send.
        content=json.dumps(body),
        headers={**headers, **baseline.headers(), "Content-Type": "application/json"},
    )
    await _undo(world, operation, answer)
    return answer


@pytest.mark.asvs("V2.2.1", "V2.2.2", "V1.3.3", "V16.5.3")
async def test_every_string_field_at_its_limit_never_answers_5xx(world: World) -> None:
    wrong: list[str] = []
    for operation, fields in sorted(OPERATIONS.items()):
        baseline = BASELINES[operation]
        world.ids.update(await _fresh_ids(world, operation))
        answer = await _send(world, operation, baseline.body(world))
        if answer.status_code >= 500 or (baseline.accepted and answer.status_code >= 300):
            wrong.append(f"{operation} baseline: {answer.status_code} {answer.text[:200]}")
        for field, (kind, alphabet) in itertools.product(fields, PROBES.items()):
            world.ids.update(await _fresh_ids(world, operation))
            value = field.longest(alphabet)
            body = placed(baseline.for_field(field.path)(world), field.path, value)
            assert body is not None
            problem = _problem(field, alphabet, baseline, await _send(world, operation, body))
            if problem:
                wrong.append(f"{operation} {field.path} {kind}: {problem}")
    assert wrong == [], "\n".join(wrong)
