"""A good deployment and a deliberately misconfigured one, for the self-audit tests."""

from __future__ import annotations

import secrets
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from starlette.types import ASGIApp, Receive, Scope, Send

from helio import audit
from helio.audit import AuditAction, Target
from helio.audit.checkpoints import create_checkpoint, load_signing_keys
from helio.authz.matrix import Role
from helio.db import Database
from helio.dbgrants import grant_statements
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.models import AccessAttestation, AccessGrant, User
from helio.platform.app import App
from helio.platform.context import Ctx
from tests.conftest import BASE_URL, DATABASE_URL
from tests.factories.accounts import new_account
from tests.fixtures.database import _root_connection

SEEDED_EMAIL = "marguerite.quimby@example.net"
SEEDED_NAME = "Marguerite Quimby"
SEEDED_PHONE = "+14155550123"


class TlsEdge:
    """What the ingress does in front of the API: plain http gets a 308 to https."""

    def __init__(self, inner: ASGIApp) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("scheme") == "http":
            host = dict(scope["headers"]).get(b"host", b"").decode()
            location = f"https://{host}{scope['path']}".encode()
            headers = [(b"location", location), (b"content-length", b"0")]
            await send({"type": "http.response.start", "status": 308, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.inner(scope, receive, send)


def asgi_client(api: ASGIApp) -> httpx.AsyncClient:
    """A client of the served app behind its TLS edge, at the deployment's https base URL."""
    transport = httpx.ASGITransport(app=TlsEdge(api), client=("203.0.113.9", 50001))
    return httpx.AsyncClient(transport=transport, base_url=BASE_URL)


async def seed_customer(app: App) -> str:
    """A customer whose email, name and phone must never appear in a report."""
    return await new_account(
        app, Role.CUSTOMER, email=SEEDED_EMAIL, full_name=SEEDED_NAME, phone=SEEDED_PHONE
    )


async def good_world(app: App) -> None:
    """Staff with MFA and an attested review, a signed checkpoint over some events."""
    admin = await new_account(app, Role.ADMIN)
    await seed_customer(app)
    async with app.db.transaction() as session:
        session.add(AccessAttestation(id=new_id(), attested_by=admin, note=None,
                                      snapshot={"staff": 1}, created_at=utcnow()))  # fmt: skip
        await audit.record(session, Ctx.system(app), AuditAction.ACCESS_REVIEW_ATTESTED,
                           target=Target("access_attestation"))  # fmt: skip
    await create_checkpoint(app.db, load_signing_keys(app.settings))


async def bad_world(app: App) -> dict[str, str]:
    """Staff without MFA, two stale grants, a tampered audit row (on top of the good world)."""
    await good_world(app)
    engineer = await new_account(app, Role.ENGINEER)
    lax = await new_account(app, Role.SUPPORT)
    customer = await new_account(app, Role.CUSTOMER)
    grant, long_grant = new_id(), new_id()
    async with app.db.transaction() as session:
        user = await session.get(User, lax)
        assert user is not None
        user.totp_confirmed_at = None
        # requested three days ago and never decided
        session.add(AccessGrant(id=grant, requester_id=engineer, customer_id=customer,
                                reason="check a quote", minutes=60, status="pending",
                                created_at=utcnow() - timedelta(days=3)))  # fmt: skip
        # approved for an hour, but its expiry was pushed two days out
        session.add(AccessGrant(id=long_grant, requester_id=engineer, customer_id=customer,
                                reason="look at the roof", minutes=60, status="approved",
                                decided_by="admin", decided_at=utcnow(),
                                expires_at=utcnow() + timedelta(days=2),
                                created_at=utcnow()))  # fmt: skip
    async with app.db.transaction() as session:
        await session.execute(text("UPDATE audit_events SET reason = 'edited' WHERE seq = 1"))
    return {"lax_staff": lax, "grant": grant, "long_grant": long_grant}


@asynccontextmanager
async def app_user(database_url: str, *, extra: tuple[str, ...] = ()) -> AsyncIterator[Database]:
    """A database user with the app's grants from `helio db grants` (plus `extra` privileges)."""
    url = make_url(database_url)
    schema, name = url.database or "", f"hsa_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(18)
    statements = [
        s.replace("<app password>", password).rstrip(";")
        for s in grant_statements(schema, app_user=name, migrator="unused", host="%")
        if f"'{name}'" in s
    ]
    statements += [f"GRANT {p} ON `{schema}`.* TO '{name}'@'%'" for p in extra]
    _root(statements)
    db = Database(url.set(username=name, password=password).render_as_string(hide_password=False))
    try:
        yield db
    finally:
        await db.dispose()
        _root([f"DROP USER IF EXISTS '{name}'@'%'"])


def _root(statements: list[str]) -> None:
    connection = _root_connection(DATABASE_URL)
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


class _Weak(BaseHTTPRequestHandler):
    """A server with a weak header set: no CSP, no nosniff, a bare cookie, a trace on error."""

    server_version = "WeakServer/1.0"

    def _answer(self) -> None:
        if self.path.startswith("/api/v1/audit-probe") or self.command in {"POST", "DELETE"}:
            body = b'Traceback (most recent call last):\n  File "/app/x.py", line 3, in f\n'
            self.send_response(500)
        else:
            body = b"{}"
            self.send_response(200)
            self.send_header("Set-Cookie", "sid=abc123; Path=/")
            self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin") or "*")
            self.send_header("Access-Control-Allow-Credentials", "true")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_DELETE = do_OPTIONS = _answer  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def weak_server() -> Iterator[str]:
    """Serve the weak header set on a free loopback port; yield its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Weak)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
