"""The OpenAPI document declares the security and every guard's error answer, in the envelope."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from tests.conftest import BASE_URL

from helio.authz.access import route_permission
from helio.authz.matrix import PUBLIC_ROUTES
from helio.config import Settings
from helio.http.routes import api_routes
from helio.main import create_app
from helio.platform.app import App

DOCS_INIT = Path(__file__).parents[2] / "src" / "helio" / "static" / "docs-init.js"
ENVELOPE_REF = "#/components/schemas/ErrorEnvelope"
UNSAFE = {"post", "put", "patch", "delete"}


@pytest.fixture
def api(settings: Settings, app_state: App) -> FastAPI:
    return create_app(settings, app_state)


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
    ]


@pytest.mark.asvs("V13.4.2")
def test_security_schemes_and_per_operation_security(api: FastAPI) -> None:
    spec = api.openapi()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert (schemes["cookieAuth"]["in"], schemes["csrfHeader"]["name"]) == (
        "cookie",
        "X-CSRF-Token",
    )
    guarded = {
        (route.method.lower(), route.path)
        for route in api_routes(api)
        if route_permission(route.dependant) is not None
    }
    assert len(guarded) > 40
    wrong = []
    for method, path, operation in _operations(spec):
        if (method, path) in guarded:
            cookie: dict[str, list[str]] = {"cookieAuth": []}
            if method in UNSAFE:
                cookie["csrfHeader"] = []
            expected: list[dict[str, list[str]]] = [{"bearerAuth": []}, cookie]
        else:
            assert (method.upper(), path) in PUBLIC_ROUTES
            expected = []
        if operation.get("security") != expected:
            wrong.append(f"{method.upper()} {path}")
    assert wrong == []


def test_every_error_answer_is_the_envelope_and_guard_statuses_are_declared(
    api: FastAPI,
) -> None:
    spec = api.openapi()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    missing, loose = [], []
    for method, path, operation in _operations(spec):
        responses = operation["responses"]
        for status, response in responses.items():
            if status[0] in "45":
                schema = response["content"]["application/json"]["schema"]
                if schema != {"$ref": ENVELOPE_REF}:
                    loose.append(f"{method.upper()} {path} {status}")
        needed = {"503"}
        if operation["security"]:
            needed |= {"401", "403"}
        if method in UNSAFE:
            needed.add("403")
        if "{" in path:
            needed.add("404")
        if "requestBody" in operation:
            needed |= {"400", "413", "415", "422"}
        if any(p["name"] == "cursor" for p in operation.get("parameters", [])):
            needed.add("400")
        if operation.get("parameters"):
            needed.add("422")
        if not needed <= set(responses):
            missing.append(f"{method.upper()} {path}: {sorted(needed - set(responses))}")
    assert loose == []
    assert missing == []


async def test_the_422_the_server_sends_is_the_declared_envelope(api: FastAPI) -> None:
    spec = api.openapi()
    declared = spec["paths"]["/api/v1/auth/login"]["post"]["responses"]["422"]
    assert declared["content"]["application/json"]["schema"] == {"$ref": ENVELOPE_REF}
    transport = ASGITransport(app=api, client=("203.0.113.7", 1234))
    async with AsyncClient(transport=transport, base_url=BASE_URL) as http:
        answer = await http.post("/api/v1/auth/login", json={"email": 5})
        missing = await http.get("/api/v1/nothing")
    assert answer.status_code == 422
    envelope = spec["components"]["schemas"]["ErrorEnvelope"]
    jsonschema.validate(answer.json(), envelope)
    jsonschema.validate(missing.json(), envelope)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_the_docs_page_sends_the_csrf_header_after_a_cookie_sign_in() -> None:
    script = f"""
    const init = require({json.dumps(str(DOCS_INIT))});
    const cookies = "theme=dark; __Host-helio_csrf=tok%2Ben; other=1";
    const out = [
      init.helioRequestInterceptor({{method: "post", headers: {{}}}}, cookies).headers,
      init.helioRequestInterceptor({{method: "GET", headers: {{}}}}, cookies).headers,
      init.helioRequestInterceptor({{method: "DELETE", headers: {{}}}}, "helio_csrf=plain").headers,
      init.helioRequestInterceptor({{method: "PATCH", headers: {{}}}}, "").headers,
    ];
    console.log(JSON.stringify(out));
    """
    result = subprocess.run(
        ["node", "-e", script], capture_output=True, text=True, check=True, timeout=30
    )
    assert json.loads(result.stdout) == [
        {"X-CSRF-Token": "tok+en"},
        {},
        {"X-CSRF-Token": "plain"},
        {},
    ]
    source = DOCS_INIT.read_text()
    assert "requestInterceptor" in source
    assert "withCredentials: true" in source
