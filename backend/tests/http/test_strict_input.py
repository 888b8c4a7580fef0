"""Strict parsing: every request model refuses values of another JSON type, through the API too.

The walk covers every route's body and query model (they must all derive from
`StrictInput`) and every field of every model, nested ones included, and sends each
field values of the wrong JSON type that a lax parser would coerce: `0`/`"true"`
for a boolean, `"5"` for a number, `5` for a string, `0.5` or a naive time for an
instant. Pydantic validates FastAPI's bodies in Python mode, as `model_validate` does.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from tests.fixtures.principals import Harness, error_code

import helio
from helio.authz.matrix import Role
from helio.config import Settings
from helio.kit.schemas import StrictInput, StrictQuery
from helio.main import create_app
from helio.models import User
from helio.platform.app import App

AUDIT = "/api/v1/admin/audit"
EXTREME_DATES = ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00")
WRONG: dict[str, list[Any]] = {
    "boolean": [0, 1, "true", "false", "1", 1.0],
    "integer": ["5", 5.5, True, "5.0"],
    "number": ["5", "5.5", True],
    "string": [5, 5.5, True, ["x"], {"x": 1}],
    "date-time": [0.5, 1_700_000_000, "1700000000", "2026-01-01T00:00:00", "2026-01-01", True],
    "array": ["x", 5, {"x": 1}],
    "object": ["x", 5, ["x"]],
}
# A query string is text: integers are read from their digits there, nothing else is.
WRONG_IN_QUERY: dict[str, list[Any]] = {
    "boolean": ["0", "1", "yes", "on"],
    "integer": ["5.5", "five", "1e3"],
    "date-time": ["0.5", "1700000000", "2026-01-01T00:00:00", "2026-01-01"],
}


def _subclasses(cls: type[StrictInput]) -> Iterator[type[StrictInput]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _all_models() -> list[type[StrictInput]]:
    for module in pkgutil.walk_packages(helio.__path__, "helio."):
        importlib.import_module(module.name)
    return sorted(set(_subclasses(StrictInput)), key=lambda m: f"{m.__module__}.{m.__name__}")


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _kind(schema: dict[str, Any], defs: dict[str, Any]) -> str | None:
    """The one JSON type a field accepts (besides null), or None when it accepts several."""
    schema = _resolve(schema, defs)
    options = [
        _resolve(option, defs)
        for option in schema.get("anyOf", [schema])
        if option.get("type") != "null"
    ]
    if len(options) != 1:
        return None
    option = options[0]
    if option.get("format") == "date-time":
        return "date-time"
    if "enum" in option or "const" in option:
        return "string" if option.get("type") == "string" else None
    kind = option.get("type")
    return kind if isinstance(kind, str) else None


def _fields(model: type[BaseModel]) -> Iterator[tuple[str, str]]:
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    for name, field in schema.get("properties", {}).items():
        kind = _kind(field, defs)
        if kind is not None:
            yield name, kind


def _refused(model: type[BaseModel], name: str, value: Any) -> bool:
    try:
        model.model_validate({name: value})
    except ValidationError as refused:
        return any(error["loc"][:1] == (name,) for error in refused.errors())
    return False


MODELS = _all_models()


def test_the_walk_sees_every_kind_of_field() -> None:
    kinds = {kind for model in MODELS for _, kind in _fields(model)}
    assert {"boolean", "integer", "number", "string", "date-time", "array", "object"} <= kinds


@pytest.mark.asvs("V2.2.1", "V15.3.5")
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_no_field_coerces_across_types(model: type[StrictInput]) -> None:
    wrong = WRONG_IN_QUERY if issubclass(model, StrictQuery) else WRONG
    coerced = [
        f"{name} ({kind}) <- {value!r}"
        for name, kind in _fields(model)
        for value in wrong.get(kind, [])
        if not _refused(model, name, value)
    ]
    assert coerced == []


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_extreme_dates_are_refused_not_overflowing(model: type[StrictInput]) -> None:
    for name, kind in _fields(model):
        if kind == "date-time":
            for value in EXTREME_DATES:
                assert _refused(model, name, value), (name, value)


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        router = getattr(route, "original_router", None)  # an included router
        if router is not None:
            yield from _api_routes(router.routes)


def _request_models(app: FastAPI) -> Iterator[tuple[str, type[Any]]]:
    for route in _api_routes(app.routes):
        fields = [*route.dependant.query_params]
        if route.body_field is not None:
            fields.append(route.body_field)
        for dependency in route.dependant.dependencies:
            fields.extend(dependency.query_params)
        for field in fields:
            annotation = field.field_info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                yield f"{route.path} {field.name}", annotation


def test_every_request_model_is_a_strict_input(settings: Settings, app_state: App) -> None:
    models = dict(_request_models(create_app(settings, app_state)))
    assert len(models) > 20, models
    loose = [where for where, model in models.items() if not issubclass(model, StrictInput)]
    assert loose == []
    queries = [where for where, model in models.items() if issubclass(model, StrictQuery)]
    assert queries
    assert all(" query" in where or "params" in where.lower() for where in queries)


@pytest.mark.mysql
@pytest.mark.redis
class TestThroughTheApi:
    @pytest.mark.asvs("V2.2.1")
    async def test_a_number_never_deactivates_a_staff_account(self, auth: Harness) -> None:
        admin = await auth.staff(Role.ADMIN)
        target = await auth.staff(Role.SUPPORT)
        http = await auth.login(admin)
        for value in (0, "false", None):
            answer = await http.patch(
                f"/api/v1/admin/staff/{target.user_id}",
                json={"active": value},
                headers=auth.unsafe(http),
            )
            assert (answer.status_code, error_code(answer)) == (422, "validation_failed"), value
        async with auth.app_state.db.transaction() as session:
            user = await session.get(User, target.user_id)
            assert user is not None
            assert user.status == "active"

    @pytest.mark.asvs("V2.2.1")
    @pytest.mark.parametrize(
        "until", ["0.5", "1700000000", "2026-01-01T00:00:00", *EXTREME_DATES, "2026-13-01T00:00Z"]
    )
    async def test_audit_search_refuses_what_is_not_an_instant(
        self, auth: Harness, until: str
    ) -> None:
        admin = await auth.staff(Role.ADMIN)
        http = await auth.login(admin)
        answer = await http.get(AUDIT, params={"until": until})
        assert (answer.status_code, error_code(answer)) == (422, "validation_failed")
        assert "query.until" in answer.json()["error"]["fields"]

    async def test_audit_search_takes_an_instant_with_its_offset(self, auth: Harness) -> None:
        admin = await auth.staff(Role.ADMIN)
        http = await auth.login(admin)
        for until in ("2026-01-01T00:00:00Z", "2026-01-01T01:00:00+01:00"):
            answer = await http.get(AUDIT, params={"until": until})
            assert answer.status_code == 200, answer.text

    @pytest.mark.asvs("V2.2.1")
    async def test_a_query_flag_is_true_or_false_only(self, auth: Harness) -> None:
        engineer = await auth.staff(Role.ENGINEER)
        http = await auth.login(engineer)
        for value in ("1", "yes", "on", "0"):
            answer = await http.get("/api/v1/staff/ops/audit-chain", params={"verify": value})
            assert (answer.status_code, error_code(answer)) == (422, "validation_failed"), value
        answer = await http.get("/api/v1/staff/ops/audit-chain", params={"verify": "false"})
        assert answer.status_code == 200, answer.text
