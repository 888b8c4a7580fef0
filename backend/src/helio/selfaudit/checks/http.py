"""Checks on the HTTP surface of a base URL: headers, cookies, CORS, error bodies, docs, TLS."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

import httpx

from helio.selfaudit.inputs import Inputs
from helio.selfaudit.registry import (
    Category,
    Outcome,
    Severity,
    Source,
    check,
    failed,
    manual,
    passed,
)

NO_URL = "no base URL given: run `helio audit report --base-url https://…` against the deployment"
FOREIGN_ORIGIN = "https://audit-probe.invalid"
HSTS_MIN_SECONDS = 15_552_000  # 180 days
PAGES = ("/healthz", "/api/v1/auth/jwks")
DOCS = ("/api/docs", "/api/openapi.json", "/docs", "/openapi.json", "/redoc")
REQUIRED_HEADERS: dict[str, str] = {
    "content-security-policy": "",
    "x-content-type-options": "nosniff",
    "referrer-policy": "",
    "strict-transport-security": "",
    "cache-control": "",
}
# Errors and probes must not be cached; a page may be (the JWKS is public, max-age=300).
NO_STORE_PATHS = ("/healthz",)
_TRACE = re.compile(
    r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+|"
    r"\b(sqlalchemy|asyncmy|pymysql|starlette|uvicorn)\.[a-z_.]+|"
    r"\bat [\w.$]+\([\w]+\.java:\d+\)|node_modules/",
    re.IGNORECASE,
)


def _missing(response: httpx.Response, *, https: bool) -> list[str]:
    missing = []
    cache = response.headers.get("cache-control", "")
    if (
        (response.status_code >= 400 or response.url.path in NO_STORE_PATHS)
        and cache
        and ("no-store" not in cache.lower())
    ):
        missing.append(f"cache-control no-store ({cache!s:.60})")
    for name, wanted in REQUIRED_HEADERS.items():
        if name == "strict-transport-security" and not https:
            continue
        value = response.headers.get(name, "")
        if not value or wanted not in value.lower():
            missing.append(name if not value else f"{name} ({value!s:.60})")
    framing = response.headers.get("x-frame-options", "")
    csp = response.headers.get("content-security-policy", "")
    if not framing and "frame-ancestors" not in csp:
        missing.append("x-frame-options or CSP frame-ancestors")
    return missing


async def _get(http: httpx.AsyncClient, path: str, **kwargs: object) -> httpx.Response:
    return await http.get(path, follow_redirects=False, **kwargs)  # type: ignore[arg-type]


def _https(http: httpx.AsyncClient) -> bool:
    return http.base_url.scheme == "https"


def _error_path() -> str:
    return f"/api/v1/audit-probe-{secrets.token_hex(4)}"


@check(
    "http.headers",
    category=Category.A05,
    severity=Severity.MEDIUM,
    source=Source.HTTP,
    title="Security headers on pages and on errors",
    fix="Serve every response (errors included) through the security-headers middleware: CSP, "
    "nosniff, Referrer-Policy, frame protection, Cache-Control: no-store, HSTS over TLS.",
)
async def headers(inputs: Inputs) -> Outcome:
    """Fetch pages and an error; every one must carry the security headers."""
    if inputs.http is None:
        return manual(NO_URL)
    evidence, bad = [], False
    for path in ("/", *PAGES, _error_path()):
        try:
            response = await _get(inputs.http, path)
        except httpx.HTTPError as error:
            return failed(f"GET {_label(path)} failed: {type(error).__name__}")
        missing = _missing(response, https=_https(inputs.http))
        bad = bad or bool(missing)
        what = "missing " + ", ".join(missing) if missing else "all present"
        evidence.append(f"GET {_label(path)} → {response.status_code}: {what}")
        server = response.headers.get("server", "")
        if re.search(r"\d", server):
            bad = True
            evidence.append(f"Server header names a version: {server!s:.40}")
    return failed(*evidence) if bad else passed(*evidence)


def _label(path: str) -> str:
    return "/api/v1/<unknown>" if path.startswith("/api/v1/audit-probe-") else path


@check(
    "http.cookies",
    category=Category.A05,
    severity=Severity.MEDIUM,
    source=Source.HTTP,
    title="Cookies are Secure, HttpOnly and SameSite",
    fix="Set every cookie with Secure, HttpOnly (all but the CSRF token) and SameSite=Lax or "
    "Strict, under a __Host- name.",
)
async def cookies(inputs: Inputs) -> Outcome:
    """Every Set-Cookie the surface sends to an anonymous caller has the flags."""
    if inputs.http is None:
        return manual(NO_URL)
    seen: list[str] = []
    for path in (*PAGES, "/api/v1/auth/challenge", "/"):
        try:
            response = await _get(inputs.http, path)
        except httpx.HTTPError:
            continue
        seen += response.headers.get_list("set-cookie")
    if not seen:
        return passed("no cookie is set for an anonymous caller on the probed paths")
    problems = [p for p in (_cookie_problem(c) for c in seen) if p]
    evidence = f"{len(seen)} cookie(s) set"
    return failed(evidence, *problems) if problems else passed(evidence, "all flagged")


def _cookie_problem(header: str) -> str | None:
    name = header.split("=", 1)[0].strip()
    flags = {part.strip().split("=", 1)[0].lower() for part in header.split(";")[1:]}
    samesite = re.search(r";\s*samesite=(\w+)", header, re.IGNORECASE)
    lacking = [flag for flag in ("secure", "httponly") if flag not in flags]
    if samesite is None or samesite.group(1).lower() == "none":
        lacking.append("samesite")
    if "csrf" in name.lower() and lacking == ["httponly"]:
        return None
    return f"cookie {name}: lacks {', '.join(lacking)}" if lacking else None


@check(
    "http.cors",
    category=Category.A05,
    severity=Severity.HIGH,
    source=Source.HTTP,
    title="CORS refuses a foreign origin",
    fix="Allow only the exact origins of the portal and the console (HELIO_CORS_ORIGINS); never "
    "echo the request's Origin or send `*` with credentials.",
)
async def cors(inputs: Inputs) -> Outcome:
    """A preflight and a simple request from a foreign origin get no permission."""
    if inputs.http is None:
        return manual(NO_URL)
    origin = {"Origin": FOREIGN_ORIGIN}
    preflight = {**origin, "Access-Control-Request-Method": "POST"}
    try:
        answers = [
            await inputs.http.options("/api/v1/auth/login", headers=preflight),
            await inputs.http.get(PAGES[1], headers=origin),
        ]
    except httpx.HTTPError as error:
        return failed(f"CORS probe failed: {type(error).__name__}")
    problems = []
    for response in answers:
        allowed = response.headers.get("access-control-allow-origin")
        creds = response.headers.get("access-control-allow-credentials", "").lower() == "true"
        if allowed == FOREIGN_ORIGIN or (allowed == "*" and creds):
            problems.append(f"{response.request.method}: a foreign origin is allowed")
        elif allowed == "*":
            problems.append(f"{response.request.method}: any origin is allowed (no credentials)")
    evidence = f"foreign origin {FOREIGN_ORIGIN}"
    return failed(evidence, *problems) if problems else passed(evidence, "refused")


@check(
    "http.error_bodies",
    category=Category.A05,
    severity=Severity.HIGH,
    source=Source.HTTP,
    title="Error bodies carry no stack traces or internals",
    fix="Render every error through the one error envelope; never run with HELIO_DEBUG or a "
    "framework debug page in production.",
)
async def error_bodies(inputs: Inputs) -> Outcome:
    """Malformed, unknown and wrong-method requests answer without stack traces."""
    if inputs.http is None:
        return manual(NO_URL)
    probes: Iterable[tuple[str, str, dict[str, object]]] = (
        ("POST", "/api/v1/auth/login", {"content": b"{not json", "headers": _json()}),
        ("POST", "/api/v1/auth/login", {"json": {"email": ["x"] * 3, "password": {"$gt": ""}}}),
        ("GET", _error_path(), {}),
        ("DELETE", "/healthz", {}),
    )
    evidence, bad = [], False
    for method, path, kwargs in probes:
        try:
            response = await inputs.http.request(method, path, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as error:
            return failed(f"{method} {_label(path)} failed: {type(error).__name__}")
        leak = _TRACE.search(response.text)
        server_error = response.status_code >= 500
        bad = bad or bool(leak) or server_error
        note = "stack trace or internals in the body" if leak else "clean body"
        evidence.append(f"{method} {_label(path)} → {response.status_code}: {note}")
    return failed(*evidence) if bad else passed(*evidence)


def _json() -> dict[str, str]:
    return {"Content-Type": "application/json"}


@check(
    "http.docs_exposure",
    category=Category.A05,
    severity=Severity.MEDIUM,
    source=Source.HTTP,
    title="The API docs are not served in production",
    fix="Leave HELIO_DOCS_ENABLED unset in production (docs are off there by default).",
)
async def docs_exposure(inputs: Inputs) -> Outcome:
    """Docs and the OpenAPI document answer 404 in production."""
    if inputs.http is None:
        return manual(NO_URL)
    served = []
    for path in DOCS:
        try:
            response = await _get(inputs.http, path)
        except httpx.HTTPError:
            continue
        if response.status_code == 200:
            served.append(path)
    if not served:
        return passed("no API docs served")
    evidence = "served: " + ", ".join(served)
    if inputs.production:
        return failed(evidence)
    return passed(evidence, f"allowed outside production ({inputs.settings.env})")


@check(
    "http.tls",
    category=Category.A02,
    severity=Severity.HIGH,
    source=Source.HTTP,
    title="TLS: plain http redirects to https, HSTS is long and sent",
    fix="Redirect port 80 to https at the ingress and send Strict-Transport-Security with "
    f"max-age ≥ {HSTS_MIN_SECONDS} and includeSubDomains.",
)
async def tls(inputs: Inputs) -> Outcome:
    """Over https: HSTS on answers and a redirect from http://; over http: fail in production."""
    http = inputs.http
    if http is None:
        return manual(NO_URL)
    if not _https(http):
        if inputs.production:
            return failed(f"the base URL is plain http ({http.base_url.host})")
        return manual("the base URL is plain http (development): TLS is checked against https://")
    try:
        response = await _get(http, PAGES[0])
    except httpx.HTTPError as error:
        return failed(f"https GET failed: {type(error).__name__}")
    evidence, bad = [], False
    hsts = response.headers.get("strict-transport-security", "")
    age = re.search(r"max-age=(\d+)", hsts)
    if not age or int(age.group(1)) < HSTS_MIN_SECONDS:
        bad = True
        evidence.append(f"HSTS too short or missing: {hsts or 'absent'}")
    else:
        evidence.append(f"HSTS max-age={age.group(1)}")
    plain = http.base_url.copy_with(scheme="http", port=None).join(PAGES[0])
    try:
        redirect = await http.get(plain, follow_redirects=False)
        target = redirect.headers.get("location", "")
        ok = redirect.status_code in {301, 302, 307, 308} and target.startswith("https://")
        evidence.append(f"http:// → {redirect.status_code} {'to https' if ok else 'no redirect'}")
        bad = bad or not ok
    except httpx.HTTPError as error:
        evidence.append(f"http:// not answered ({type(error).__name__}): port 80 closed")
    return failed(*evidence) if bad else passed(*evidence)
