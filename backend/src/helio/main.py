"""create_app(): middleware, error handlers, routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from helio.alerts.setup import install_security_monitoring, shutdown_security_monitoring
from helio.api import assert_every_route_guarded, include_routers
from helio.config import Settings, get_settings
from helio.http.access_log import AccessLogMiddleware
from helio.http.body_limit import BodyLimitMiddleware
from helio.http.content_type import ContentTypeMiddleware
from helio.http.cors import StrictCORSMiddleware
from helio.http.docs import mount_docs
from helio.http.error_handlers import UnhandledErrorMiddleware, install_error_handlers
from helio.http.metrics import MetricsMiddleware
from helio.http.request_context import RequestContextMiddleware
from helio.http.security_headers import SecurityHeadersMiddleware
from helio.logging import configure_logging
from helio.mail.outbox import outbox_of
from helio.services import Services


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """Build the API application; refuses unsafe production settings.

    Raises:
        UnsafeConfiguration: production settings that fail the checks.
        UnguardedRouteError: a route without a declared permission.
    """
    settings = settings or get_settings()
    settings.assert_safe()
    configure_logging()
    services = services or Services.from_settings(settings)
    install_security_monitoring(services)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await shutdown_security_monitoring(services)
        await outbox_of(services).close()
        await services.close()

    app = FastAPI(
        title="Helio API",
        version="1",
        debug=False,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json" if settings.docs_visible else None,
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.settings = settings
    install_error_handlers(app)
    include_routers(app)
    if settings.docs_visible:
        mount_docs(app)
    assert_every_route_guarded(app)
    _add_middleware(app, settings)
    return app


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    # Added innermost first: the last one added wraps all the others.
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(
        StrictCORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=[
            "Content-Type",
            "Authorization",
            "X-CSRF-Token",
            "Idempotency-Key",
            "X-PoW-Solution",
            "X-Request-ID",
        ],
        expose_headers=["X-Request-ID", "Retry-After"],
        max_age=600,
    )
    app.add_middleware(ContentTypeMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        upload_max_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestContextMiddleware, trusted_proxies=settings.trusted_proxies)
