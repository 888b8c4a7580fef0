"""The HTTP edge: uniform errors, security headers, request ids, client ip, body limit."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI, Request
from httpx import ASGITransport, AsyncClient
from tests.conftest import BASE_URL

from helio.config import Settings
from helio.main import build_app, create_app
from helio.platform.app import App

SECURITY_HEADERS = {
    "strict-transport-security",
    "x-content-type-options",
    "referrer-policy",
    "permissions-policy",
    "cross-origin-opener-policy",
    "cross-origin-resource-policy",
    "content-security-policy",
}
LEAK_MARKERS = ("Traceback", 'File "', "/work/", "site-packages", "sqlalchemy", "SELECT ", "python")


def add_test_routes(app: FastAPI) -> None:
    """Routes that fail on purpose (added after the guard check, like a plugin would)."""

    async def boom() -> None:
        raise RuntimeError("secret detail /etc/passwd SELECT * FROM users")

    async def echo(payload: dict[str, int]) -> dict[str, int]:
        return payload

    app.add_api_route("/test/boom", boom, methods=["GET"])
    app.add_api_route("/test/echo", echo, methods=["POST"])


@pytest.fixture
def edge_app(settings: Settings, clean: App) -> FastAPI:
    app = create_app(settings, clean)
    add_test_routes(app)
    return app


async def _client(app: FastAPI, peer: str = "203.0.113.7") -> AsyncClient:
    return AsyncClient(transport=ASGITransport(app=app, client=(peer, 1234)), base_url=BASE_URL)


def assert_uniform_error(response, status: int, code: str | None = None) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert {"code", "message", "request_id"} <= set(error)
    assert error["request_id"] == response.headers["x-request-id"]
    if code:
        assert error["code"] == code
    text = response.text
    for marker in LEAK_MARKERS:
        assert marker not in text


class TestErrors:
    @pytest.mark.asvs("V16.5.1", "V13.4.2", "V4.1.1")
    async def test_unhandled_exception_is_500_without_detail(self, edge_app: FastAPI) -> None:
        async with await _client(edge_app) as http:
            response = await http.get("/test/boom")
        assert_uniform_error(response, 500, "internal_error")
        assert "secret detail" not in response.text

    @pytest.mark.asvs("V16.3.4")
    async def test_unhandled_exception_is_logged_with_the_request_id(
        self, edge_app: FastAPI, capfd: pytest.CaptureFixture[str]
    ) -> None:
        capfd.readouterr()
        async with await _client(edge_app) as http:
            response = await http.get("/test/boom")
        request_id = response.headers["x-request-id"]
        events = [
            json.loads(line) for line in capfd.readouterr().out.splitlines() if line.startswith("{")
        ]
        errors = [e for e in events if e.get("level") in {"error", "critical"}]
        assert errors, events
        assert all(e.get("request_id") == request_id for e in errors)
        assert any("RuntimeError" in json.dumps(e) or "exception" in e for e in errors)

    @pytest.mark.asvs("V13.4.1")
    @pytest.mark.parametrize(
        "path",
        ["/.git/HEAD", "/.git/config", "/.svn/entries", "/.env", "/api/v1/.git/HEAD", "/.hg/hgrc"],
    )
    async def test_no_source_control_metadata_is_served(self, edge_app: FastAPI, path: str) -> None:
        async with await _client(edge_app) as http:
            response = await http.get(path)
        assert_uniform_error(response, 404, "not_found")
        assert "ref:" not in response.text
        assert "[core]" not in response.text

    @pytest.mark.asvs("V16.5.1")
    async def test_unknown_route_404(self, edge_app: FastAPI) -> None:
        async with await _client(edge_app) as http:
            response = await http.get("/api/v1/nothing-here/<script>")
        assert_uniform_error(response, 404, "not_found")
        assert "<script>" not in response.text

    @pytest.mark.asvs("V13.4.4")
    async def test_wrong_method_and_trace_405(self, edge_app: FastAPI) -> None:
        async with await _client(edge_app) as http:
            response = await http.delete("/healthz")
            trace = await http.request("TRACE", "/healthz")
        assert_uniform_error(response, 405, "method_not_allowed")
        assert_uniform_error(trace, 405, "method_not_allowed")

    @pytest.mark.asvs("V1.1.1")
    async def test_validation_422_names_fields_without_echo(self, edge_app: FastAPI) -> None:
        async with await _client(edge_app) as http:
            response = await http.post("/test/echo", json={"a": "not-a-number-<b>"})
        assert_uniform_error(response, 422, "validation_failed")
        assert "a" in response.json()["error"]["fields"]
        assert "not-a-number" not in response.text

    @pytest.mark.asvs("V4.1.1", "V3.5.1", "V3.5.2")
    @pytest.mark.parametrize(
        "content_type",
        ["text/plain", "application/x-www-form-urlencoded", "application/json-patch+jsonx", ""],
    )
    async def test_unaccepted_media_type_415(self, edge_app: FastAPI, content_type: str) -> None:
        async with await _client(edge_app) as http:
            response = await http.post(
                "/test/echo", content=b'{"a": 1}', headers={"content-type": content_type}
            )
        assert_uniform_error(response, 415, "unsupported_media_type")

    @pytest.mark.asvs("V15.3.7")
    @pytest.mark.parametrize(
        "query",
        ["limit=1&limit=500", "limit=1&%6Cimit=2", "cursor=&cursor=x", "a=1&b=2&a=1"],
    )
    async def test_a_repeated_query_parameter_is_refused(
        self, edge_app: FastAPI, query: str
    ) -> None:
        async with await _client(edge_app) as http:
            response = await http.get(f"/api/v1/sites?{query}")
            single = await http.get("/healthz?a=1&b=2")
        assert_uniform_error(response, 422, "duplicate_parameter")
        assert single.status_code == 200

    async def test_json_with_charset_accepted(self, edge_app: FastAPI) -> None:
        async with await _client(edge_app) as http:
            response = await http.post(
                "/test/echo",
                content=b'{"a": 1}',
                headers={"content-type": "application/json; charset=utf-8"},
            )
        assert response.json() == {"a": 1}

    async def test_malformed_json_422(self, edge_app: FastAPI) -> None:
        async with await _client(edge_app) as http:
            response = await http.post(
                "/test/echo", content=b"{not json", headers={"content-type": "application/json"}
            )
        assert_uniform_error(response, 422, "validation_failed")

    @pytest.mark.asvs("V4.1.1")
    async def test_body_over_limit_413(self, edge_app: FastAPI, settings: Settings) -> None:
        big = json.dumps({"a": 1, "pad": "x" * (settings.max_body_bytes + 10)})
        async with await _client(edge_app) as http:
            response = await http.post(
                "/test/echo", content=big, headers={"content-type": "application/json"}
            )
        assert_uniform_error(response, 413, "payload_too_large")

    async def test_streamed_body_over_limit_413(
        self, edge_app: FastAPI, settings: Settings
    ) -> None:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(settings.max_body_bytes // 1024 + 8):
                yield b"x" * 1024

        async with await _client(edge_app) as http:
            response = await http.post(
                "/test/echo", content=chunks(), headers={"content-type": "application/json"}
            )
        assert_uniform_error(response, 413, "payload_too_large")


class TestSecurityHeaders:
    @pytest.mark.asvs("V3.4.1", "V3.4.3", "V3.4.4", "V3.4.5", "V3.4.6", "V14.3.2")
    @pytest.mark.parametrize(
        ("method", "path", "status"),
        [
            ("GET", "/healthz", 200),
            ("GET", "/nope", 404),
            ("POST", "/test/echo", 422),
            ("GET", "/test/boom", 500),
        ],
    )
    async def test_headers_on_every_response(
        self, edge_app: FastAPI, method: str, path: str, status: int
    ) -> None:
        async with await _client(edge_app) as http:
            response = await http.request(
                method, path, json={"a": "x"} if method == "POST" else None
            )
        assert response.status_code == status
        assert set(response.headers) >= SECURITY_HEADERS
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "max-age=" in response.headers["strict-transport-security"]
        assert "server" not in response.headers
        assert response.headers["cache-control"] == "no-store"


class TestRequestContext:
    async def test_request_id_generated_and_wellformed_one_kept(self, edge_app: FastAPI) -> None:
        async with await _client(edge_app) as http:
            generated = await http.get("/healthz")
            kept = await http.get("/healthz", headers={"X-Request-ID": "abc-123_def.456"})
            refused = await http.get("/healthz", headers={"X-Request-ID": "bad id\r\nx: y"})
        assert len(generated.headers["x-request-id"]) == 32
        assert kept.headers["x-request-id"] == "abc-123_def.456"
        assert refused.headers["x-request-id"] != "bad id\r\nx: y"

    @pytest.mark.asvs("V4.1.3", "V15.3.4")
    async def test_forwarded_for_only_believed_from_trusted_proxy(self, edge_app: FastAPI) -> None:
        seen: list[str] = []

        async def whoami(request: Request) -> dict[str, str]:
            seen.append(request.state.client_ip)
            return {}

        edge_app.add_api_route("/test/whoami", whoami, methods=["GET"])
        spoof = {"X-Forwarded-For": "198.51.100.99"}
        async with await _client(edge_app, peer="203.0.113.7") as http:
            await http.get("/test/whoami", headers=spoof)
        async with await _client(edge_app, peer="10.0.0.1") as http:
            await http.get("/test/whoami", headers=spoof)
            await http.get("/test/whoami", headers={"X-Forwarded-For": "198.51.100.99, 10.0.0.1"})
            await http.get("/test/whoami", headers={"X-Forwarded-For": "not-an-ip"})
        assert seen == ["203.0.113.7", "198.51.100.99", "198.51.100.99", "10.0.0.1"]


class TestOps:
    async def test_healthz_and_readyz(self, edge_app: FastAPI) -> None:
        async with await _client(edge_app) as http:
            assert (await http.get("/healthz")).json() == {"status": "ok"}
            ready = await http.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok", "state": "ok"}

    @pytest.mark.redis
    async def test_readyz_503_when_redis_unreachable(self, settings: Settings) -> None:
        broken = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
        app_state = build_app(broken)
        app = create_app(broken, app_state)
        async with await _client(app) as http:
            response = await http.get("/readyz")
        await app_state.db.dispose()
        assert response.status_code == 503
        assert response.json()["checks"]["state"] == "down"

    @pytest.mark.redis
    @pytest.mark.asvs("V16.5.3", "V2.4.1")
    async def test_sign_in_fails_closed_with_503_when_redis_is_down(
        self, settings: Settings
    ) -> None:
        broken = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
        app_state = build_app(broken)
        app = create_app(broken, app_state)
        credentials = {"email": "someone@example.org", "password": "quiet-harbour-lantern-1987"}
        async with await _client(app) as http:
            response = await http.post("/api/v1/auth/login", json=credentials)
        await app_state.db.dispose()
        assert_uniform_error(response, 503, "unavailable")
        assert response.headers["retry-after"] == "5"

    async def test_readyz_503_when_database_unreachable(self, settings: Settings) -> None:
        broken = settings.model_copy(
            update={"database_url": "mysql+asyncmy://nobody@127.0.0.1:1/none"}
        )
        app_state = build_app(broken)
        app = create_app(broken, app_state)
        async with await _client(app) as http:
            response = await http.get("/readyz")
        await app_state.close()
        assert response.status_code == 503
        assert response.json()["checks"]["database"] == "down"

    async def test_docs_served_locally_outside_production(self, edge_app: FastAPI) -> None:
        async with await _client(edge_app) as http:
            page = await http.get("/api/docs")
            bundle = await http.get("/api/docs/assets/swagger-ui-bundle.js")
            schema = await http.get("/api/openapi.json")
        assert page.status_code == 200
        assert "cdn" not in page.text.lower()
        assert "<script>" not in page.text  # no inline script: the CSP forbids it
        assert bundle.status_code == 200
        assert schema.json()["info"]["title"] == "Helio API"


class TestSurface:
    @pytest.mark.asvs("V13.4.3")
    @pytest.mark.parametrize("path", ["/api/docs/assets/", "/api/docs/init/", "/api/docs/assets"])
    async def test_no_directory_listing(self, edge_app: FastAPI, path: str) -> None:
        async with await _client(edge_app) as http:
            response = await http.get(path, follow_redirects=True)
        assert response.status_code == 404
        assert "swagger-ui-bundle.js" not in response.text

    @pytest.mark.asvs("V3.4.2")
    async def test_cors_echoes_only_allowlisted_origins(
        self, edge_app: FastAPI, settings: Settings
    ) -> None:
        preflight = {"Access-Control-Request-Method": "POST"}
        async with await _client(edge_app) as http:
            allowed = await http.options(
                "/api/v1/auth/login", headers={"Origin": settings.public_url, **preflight}
            )
            evil = await http.options(
                "/api/v1/auth/login", headers={"Origin": "https://evil.example", **preflight}
            )
            null = await http.get("/healthz", headers={"Origin": "null"})
        assert allowed.headers["access-control-allow-origin"] == settings.public_url
        assert allowed.headers["access-control-allow-credentials"] == "true"
        for refused in (evil, null):
            assert "access-control-allow-origin" not in refused.headers
            assert "access-control-allow-credentials" not in refused.headers

    @pytest.mark.asvs("V14.2.1")
    async def test_no_secret_or_personal_data_in_urls(self, edge_app: FastAPI) -> None:
        sensitive = ("password", "token", "secret", "code", "email", "phone", "otp", "key")
        schema = edge_app.openapi()
        offenders = []
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                for parameter in operation.get("parameters", []):
                    name = parameter["name"].lower()
                    if parameter["in"] in {"query", "path"} and any(s in name for s in sensitive):
                        offenders.append(f"{method.upper()} {path} ?{parameter['name']}")
        assert offenders == []
        async with await _client(edge_app) as http:
            response = await http.post(
                "/api/v1/auth/login?email=a@example.org&password=correct-horse-battery"
            )
        assert response.status_code == 422

    @pytest.mark.asvs("V16.2.4")
    async def test_logs_are_json_lines_with_the_common_fields(
        self, edge_app: FastAPI, capsys: pytest.CaptureFixture[str]
    ) -> None:
        async with await _client(edge_app) as http:
            await http.get(
                "/healthz?email=someone@example.org", headers={"X-Request-ID": "req-12345678"}
            )
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
        access = [line for line in lines if line.get("event") == "request"]
        assert access, lines
        entry = access[-1]
        assert {"timestamp", "level", "event", "request_id", "method", "route", "status"} <= set(
            entry
        )
        assert entry["request_id"] == "req-12345678"
        assert entry["route"] == "/healthz"
        assert "someone@example.org" not in json.dumps(lines)


class TestMethodNotAllowed:
    @pytest.mark.asvs("V13.4.4")
    async def test_allow_lists_every_method_the_path_serves(self, edge_app: FastAPI) -> None:
        spec = edge_app.openapi()
        wrong, checked = [], 0
        async with await _client(edge_app) as http:
            for path, operations in spec["paths"].items():
                served = {method.upper() for method in operations}
                if "GET" in served:
                    served.add("HEAD")
                unserved = next(m for m in ("PUT", "DELETE", "PATCH", "POST") if m not in served)
                concrete = re.sub(r"\{[^/]+\}", "a" * 32, path)
                answer = await http.request(unserved, concrete)
                if answer.status_code != 405:
                    continue  # a guard (CSRF, origin) answered first
                checked += 1
                allow = {m.strip() for m in answer.headers["allow"].split(",")}
                if allow != served:
                    wrong.append((path, sorted(allow), sorted(served)))
        assert checked >= 10
        assert wrong == []
