"""Every timestamp in an API answer carries its UTC offset, as `date-time` promises.

The walk calls every GET route without path parameters as a customer, an admin
and an engineer, and checks each value the OpenAPI document declares `date-time`
in the 200 answers it gets.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests.fixtures.principals import Harness

from helio.authz.matrix import Role

WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
# Streams and probes rather than JSON documents of a model.
SKIPPED = {"/api/v1/admin/audit/export", "/readyz"}

pytestmark = [pytest.mark.mysql, pytest.mark.redis]


def _date_times(
    value: Any, schema: dict[str, Any], components: dict[str, Any], path: str
) -> list[tuple[str, Any]]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    if value is None:
        return []
    found: list[tuple[str, Any]] = []
    if schema.get("format") == "date-time":
        found.append((path, value))
    for combinator in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(combinator, []):
            found += _date_times(value, option, components, path)
    if isinstance(value, dict):
        for key, item in value.items():
            sub = schema.get("properties", {}).get(key) or schema.get("additionalProperties")
            if isinstance(sub, dict):
                found += _date_times(item, sub, components, f"{path}.{key}")
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            found += _date_times(item, schema["items"], components, f"{path}[{index}]")
    return found


@pytest.mark.asvs("V2.2.1")
async def test_every_declared_date_time_in_real_answers_has_an_offset(auth: Harness) -> None:
    customer = await auth.customer(totp=True)
    admin = await auth.staff(Role.ADMIN)
    engineer = await auth.staff(Role.ENGINEER)
    clients = [await auth.login(account) for account in (customer, admin, engineer)]
    spec = (await clients[0].get("/api/openapi.json")).json()
    components = spec["components"]["schemas"]
    checked: list[tuple[str, Any]] = []
    for path, operations in spec["paths"].items():
        operation = operations.get("get")
        if operation is None or "{" in path or path in SKIPPED:
            continue
        schema = (
            operation["responses"]
            .get("200", {})
            .get("content", {})
            .get("application/json", {})
            .get("schema")
        )
        if schema is None:
            continue
        for http in clients:
            answer = await http.get(path)
            if answer.status_code == 200:
                checked += _date_times(answer.json(), schema, components, path)
    assert len({where.split("[")[0] for where, _ in checked}) >= 5, checked
    naive = [(where, value) for where, value in checked if not WITH_OFFSET.match(str(value))]
    assert naive == []
