"""The API honours its OpenAPI document: schemathesis runs every operation with every check.

One run per identity (anonymous, a customer with a cookie session, the same customer
with a bearer token, and a staff member of each role), each given what a real client
has: the session cookie with the CSRF header and Origin, or an access token, and a
solved proof-of-work challenge (fetched from /auth/challenge) on the sign-in, sign-up,
reset and lead routes. Path parameters are drawn from random values and from the ids
of a small world (the caller's site, order, document, a grant, a lead ...), so the
fuzzer reaches real objects, not only 404s.

The fuzzed app is a second app object on the same database and Redis as the test's
own (which builds the world): schemathesis serves it on its own event loop.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import hypothesis.strategies as st
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events
from schemathesis.engine.recorder import CheckNode, ScenarioRecorder
from schemathesis.generation.case import Case
from schemathesis.python import asgi
from schemathesis.schemas import BaseSchema
from tests.authz.authz_world import World, build_world
from tests.conftest import BASE_URL
from tests.factories.accounts import cookie_session
from tests.fixtures.database import truncate_all
from tests.fixtures.principals import TEST_POLICY
from tools.contract_rules import refusal_of_valid_form

from helio.auth.sessions import csrf
from helio.auth.sessions import lifecycle as sessions
from helio.authz.matrix import Role
from helio.config import Settings
from helio.http.cookies import csrf_cookie_name, session_cookie_name
from helio.main import build_app, create_app
from helio.platform.app import App
from helio.security import pow as proof_of_work
from helio.state.shared import RedisState

pytestmark = [pytest.mark.mysql, pytest.mark.redis]

ANONYMOUS = "anonymous"
CUSTOMER_COOKIE = "customer-cookie"
CUSTOMER_BEARER = "customer-bearer"
IDENTITIES = (
    ANONYMOUS,
    CUSTOMER_COOKIE,
    CUSTOMER_BEARER,
    Role.ADMIN.value,
    Role.SALES.value,
    Role.SUPPORT.value,
    Role.ENGINEER.value,
)
# The proof-of-work scope each public route asks for when it asks (lockout.screen).
POW_SCOPES = {
    "/api/v1/auth/login": "login",
    "/api/v1/auth/login/mfa": "login",
    "/api/v1/auth/token": "login",
    "/api/v1/auth/webauthn/login/options": "login",
    "/api/v1/auth/webauthn/login/verify": "login",
    "/api/v1/auth/webauthn/passkey/options": "login",
    "/api/v1/auth/webauthn/passkey/verify": "login",
    "/api/v1/auth/register": "register",
    "/api/v1/auth/password/forgot": "forgot",
    "/api/v1/leads": "lead",
}
# A few examples per operation and identity, the same ones on every run; the stateful
# phase chains calls along the links schemathesis infers (create, then read or delete),
# where use_after_free and ensure_resource_availability apply.
CONFIG = {
    "seed": 20261206,
    "base-url": BASE_URL,
    "generation": {"max-examples": 4, "deterministic": True, "database": "none"},
    "checks": {"enabled": True},
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": False},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": True, "max-steps": 5, "generation": {"max-examples": 3}},
    },
}


@dataclass
class Credentials:
    """What one identity's client sends: headers and cookies."""

    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)


@dataclass
class Contract:
    """The world, the fuzzed app, and who is calling now."""

    world: World
    settings: Settings
    api: FastAPI
    loop: asyncio.AbstractEventLoop
    identity: str = ANONYMOUS
    _label: str = ""
    _credentials: Credentials | None = None

    def credentials(self, operation: str) -> Credentials | None:
        """Return the current identity's credentials: a fresh session for each operation.

        A fresh session per operation keeps one operation's logout, session revocation or
        password change from turning every later operation into a 401.
        """
        if self.identity == ANONYMOUS:
            return None
        if operation != self._label or self._credentials is None:
            self._label = operation
            self._credentials = self.loop.run_until_complete(self._sign_in())
        return self._credentials

    async def _sign_in(self) -> Credentials:
        world = self.world
        if self.identity == CUSTOMER_COOKIE:
            return await self._cookie_session(world.ids["customer_id"])
        name = Role.CUSTOMER.value if self.identity == CUSTOMER_BEARER else self.identity
        caller = await world.sign_in(name, world.callers[name].user_id)
        if name == Role.CUSTOMER.value:
            world.ids["session_id"] = caller.session_id
        return Credentials(headers=caller.headers)

    async def _cookie_session(self, user_id: str) -> Credentials:
        app_state = self.world.app_state
        secret = await cookie_session(app_state, user_id)
        token = csrf.issue(app_state.server_keys.hmac("csrf"), sessions.secret_hash(secret))
        return Credentials(
            headers={"X-CSRF-Token": token, "Origin": BASE_URL},
            cookies={
                session_cookie_name(self.settings): secret,
                csrf_cookie_name(self.settings): token,
            },
        )

    def solve_pow(self, case: Case[Any]) -> None:
        """Answer a proof-of-work challenge for the routes that may ask for one."""
        scope = POW_SCOPES.get(case.path)
        if scope is None:
            return
        with asgi.get_client(cast(Any, self.api)) as http:
            answer = http.get(f"{BASE_URL}/api/v1/auth/challenge", params={"scope": scope})
        assert answer.status_code == 200, answer.text
        challenge = answer.json()
        case.headers[proof_of_work.HEADER] = proof_of_work.solve(
            challenge["challenge"], challenge["difficulty_bits"]
        )


async def _empty(app_state: App) -> None:
    await truncate_all(app_state.db)
    if isinstance(app_state.state, RedisState):
        await app_state.state.client.flushdb()
    await app_state.limiter.storage.reset()
    app_state.vault.cache.clear()


@pytest.fixture(scope="module")
async def contract(settings: Settings, app_state: App) -> AsyncIterator[Contract]:
    """A world of callers and objects, and the app schemathesis calls (cheap PoW)."""
    await _empty(app_state)
    api = create_app(settings, dataclasses.replace(app_state, auth_policy=TEST_POLICY))
    world = await build_world(api, app_state)
    fuzzed = create_app(settings, dataclasses.replace(build_app(settings), auth_policy=TEST_POLICY))
    yield Contract(world, settings, fuzzed, asyncio.get_running_loop())
    await world.http.aclose()
    asgi.shutdown_lifespans()


def load_schema(contract: Contract, identity: str) -> BaseSchema:
    """Load the document the fuzzed app serves, calling as `identity`, with the world's ids."""
    loaded = schemathesis.openapi.from_asgi(
        "/api/openapi.json", contract.api, config=SchemathesisConfig.from_dict(CONFIG)
    )
    contract.identity = identity
    known = contract.world.ids

    @loaded.hook
    def before_generate_path_parameters(context: Any, strategy: Any) -> Any:
        operation = context.operation
        names = [p.name for p in operation.path_parameters] if operation else []
        real = {name: known[name] for name in names if name in known}
        if not names or len(real) != len(names):
            return strategy
        return st.one_of(st.just(real), strategy)

    class Identity:
        """The identity's credentials, set on every generated case."""

        def get(self, case: Case[Any], ctx: Any) -> Credentials | None:
            return contract.credentials(case.operation.label)

        def set(self, case: Case[Any], data: Credentials, ctx: Any) -> None:
            case.headers.update(data.headers)
            case.cookies.update(data.cookies)

    loaded.auth(refresh_interval=None)(Identity)

    @loaded.hook
    def filter_failure(context: Any, failure: Any, case: Case[Any], response: Any) -> bool:
        return not _refusal_of_valid_form(failure, response)

    return loaded


def _refusal_of_valid_form(failure: Any, response: Any) -> bool:
    if "positive_data_acceptance" not in type(failure).checks:
        return False
    return refusal_of_valid_form(response.status_code, response.content)


# The checks each identity's run must have applied (schemathesis' own list, all on).
EVERY_CHECK = {
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "ignored_auth",
    "object_level_authorization",
    "use_after_free",
    "ensure_resource_availability",
}


@dataclass
class Outcome:
    """What one run found: failed checks, errors, and how much it ran."""

    failures: list[str] = field(default_factory=list)
    operations: set[str] = field(default_factory=set)
    checks: set[str] = field(default_factory=set)
    cases: int = 0


def _describe(recorder: ScenarioRecorder, case_id: str, check: CheckNode) -> str:
    """One failed check: the operation, the check, its message, the answer and a curl line."""
    assert check.failure_info is not None
    failure = check.failure_info.failure
    interaction = recorder.interactions.get(case_id)
    answer = ""
    if interaction is not None and interaction.response is not None:
        response = interaction.response
        answer = f"\n    -> {response.status_code} {response.content[:300]!r}"
    return (
        f"{recorder.label} [{check.name}] {failure.title}: {failure.message}{answer}"
        f"\n    {check.failure_info.code_sample}"
    )


def run(schema: BaseSchema) -> Outcome:
    """Run every phase of the engine; collect each failed check and each error."""
    outcome = Outcome()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            outcome.operations.add(event.recorder.label)
            outcome.cases += len(event.recorder.cases)
            for case_id, checks in event.recorder.checks.items():
                outcome.checks.update(check.name for check in checks)
                for check in checks:
                    if check.failure_info is not None:
                        outcome.failures.append(_describe(event.recorder, case_id, check))
        elif isinstance(event, events.NonFatalError):
            outcome.failures.append(f"{event.label}: error {event.info.format()}")
        elif isinstance(event, events.FatalError):
            raise event.exception
        elif isinstance(event, events.EngineFinished):
            outcome.failures.extend(str(failure) for failure in event.failures)
    return outcome


@pytest.fixture
def pow_hook(contract: Contract) -> Iterator[None]:
    """Solve a challenge before each call to a route that may ask for one."""

    def before_call(context: Any, case: Case[Any], kwargs: dict[str, Any]) -> None:
        contract.solve_pow(case)

    schemathesis.hook(before_call)
    yield
    schemathesis.hooks.unregister(before_call)


@pytest.mark.asvs("V2.2.1", "V2.2.2", "V4.1.1")
@pytest.mark.usefixtures("pow_hook")
@pytest.mark.parametrize("identity", IDENTITIES)
def test_every_operation_honours_the_document(contract: Contract, identity: str) -> None:
    started = time.monotonic()
    outcome = run(load_schema(contract, identity))
    took = time.monotonic() - started
    print(f"{identity}: {len(outcome.operations)} operations, {outcome.cases} cases, {took:.0f} s")
    print(f"{identity}: checks run: {', '.join(sorted(outcome.checks))}")
    for failure in outcome.failures:
        print("FAILURE", identity, failure)
    assert len(outcome.operations) >= 90
    assert outcome.checks >= EVERY_CHECK, sorted(EVERY_CHECK - outcome.checks)
    assert outcome.failures == [], "\n".join(outcome.failures)
