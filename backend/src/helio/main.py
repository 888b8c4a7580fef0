"""The composition root: `build_app` makes every part of the app, `create_app` serves it."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from helio.alerts.setup import build_alert_engine, install_security_monitoring
from helio.api import assert_every_route_guarded, include_routers
from helio.audit.monitor import CheckpointScheduler
from helio.auth.accounts.profiles import INDEX_NORMALISERS
from helio.authz.access import assert_matrix_complete
from helio.config import Settings, get_settings
from helio.db import Database
from helio.http.access_log import AccessLogMiddleware
from helio.http.body_limit import BodyLimitMiddleware
from helio.http.content_type import ContentTypeMiddleware
from helio.http.cors import StrictCORSMiddleware
from helio.http.docs import mount_docs
from helio.http.error_handlers import UnhandledErrorMiddleware, install_error_handlers
from helio.http.openapi import install_openapi
from helio.http.request_context import RequestContextMiddleware
from helio.http.security_headers import SecurityHeadersMiddleware
from helio.kit.cpu import CpuPool
from helio.logging import configure_logging
from helio.mail.outbox import JobOutbox
from helio.personal_data import PERSONAL_DATA
from helio.platform.app import App
from helio.platform.files import DocumentStore, LocalDirectoryStore, S3Store
from helio.platform.policy import AuthPolicy, StaffPolicy
from helio.platform.quote_settings import QuoteSettings
from helio.security.antivirus import ClamdScanner
from helio.security.blind_index import BlindIndexer
from helio.security.keys import build_key_provider
from helio.security.keys.local import LocalKeyProvider
from helio.security.keys.types import KeyProvider
from helio.security.server_keys import ServerKeys, keyfile_for
from helio.security.vault import FieldVault
from helio.state.shared import RateLimiter, make_state


def build_app(settings: Settings) -> App:
    """Build every part of the app the settings describe (no connection is opened yet)."""
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    keyring_path = settings.effective_keyring_path
    # Blind-index keys always come from the keyring file (a mounted secret in
    # Kubernetes), whichever provider wraps the data keys.
    keyring = LocalKeyProvider(keyring_path)
    keys = _key_provider(settings)
    db = Database(settings.effective_database_url)
    state = make_state(settings.redis_url)
    quote_settings = QuoteSettings()
    return App(
        settings=settings,
        db=db,
        state=state,
        limiter=RateLimiter.for_url(settings.redis_url),
        keys=keys,
        keyring=keyring,
        vault=FieldVault(keys),
        indexer=BlindIndexer(keyring, normalisers=INDEX_NORMALISERS),
        server_keys=ServerKeys(
            secret_key=settings.secret_key,
            keyring=keyring,
            provider=keys,
            keyfile=keyfile_for(keyring_path),
            issuer=settings.public_url,
        ),
        auth_policy=AuthPolicy(),
        staff_policy=StaffPolicy(),
        quote_settings=quote_settings,
        cpu=CpuPool(workers=quote_settings.workers, max_waiting=quote_settings.max_waiting),
        outbox=JobOutbox(db),
        alerts=build_alert_engine(db, state),
        personal_data=PERSONAL_DATA,
        documents=_document_store(settings),
        scanner=_scanner(settings),
    )


def _document_store(settings: Settings) -> DocumentStore:
    if settings.document_store == "local":
        return LocalDirectoryStore(settings.effective_document_dir)
    if settings.s3_standin:
        # Development only (production settings refuse it), like the KMS stand-in.
        from helio_standins.s3 import FakeS3Client

        bucket = settings.document_bucket or "helio-documents"
        return S3Store(FakeS3Client(buckets=(bucket,)), bucket)
    import boto3

    assert settings.document_bucket is not None  # production settings require it
    client = boto3.client("s3", region_name=settings.document_region)
    return S3Store(client, settings.document_bucket)


def _scanner(settings: Settings) -> ClamdScanner | None:
    if settings.clamd_socket is None and settings.clamd_host is None:
        return None
    return ClamdScanner(
        host=settings.clamd_host,
        port=settings.clamd_port,
        socket_path=settings.clamd_socket,
        timeout=settings.clamd_timeout_seconds,
    )


def _key_provider(settings: Settings) -> KeyProvider:
    kms_client: Any = None
    kms_key_id = settings.kms_key_id
    if settings.key_provider == "aws-kms" and settings.kms_standin:
        # Development only (production settings refuse it): the stand-in is not part of
        # the runtime package, so it is imported only when asked for.
        from helio_standins.kms import standin_client

        kms_client, kms_key_id = standin_client(
            settings.effective_keyring_path, settings.kms_key_id, settings.kms_region
        )
    return build_key_provider(
        settings.key_provider,
        keyring_path=settings.effective_keyring_path,
        kms_key_id=kms_key_id,
        region=settings.kms_region,
        kms_client=kms_client,
    )


def watch(app: App) -> None:
    """Run the alert rules and the checkpoint schedule after each committed audit event."""
    checkpoints = CheckpointScheduler(app.settings, app.db, app.state)
    install_security_monitoring(app.db, app.alerts, checkpoints)


def create_app(settings: Settings | None = None, app: App | None = None) -> FastAPI:
    """Build the API around an app (built from the settings when none is given).

    Given both, the app is served with these settings (a test changing one setting).

    Raises:
        UnsafeConfiguration: production settings that fail the checks.
        UnguardedRouteError: a route without a declared permission.
        IncompleteMatrix: a permission without a full row of reaches.
    """
    settings = settings or (app.settings if app is not None else get_settings())
    settings.assert_safe()
    assert_matrix_complete()
    configure_logging()
    if app is None:
        app = build_app(settings)
    elif app.settings is not settings:
        app = dataclasses.replace(app, settings=settings)
    watch(app)
    served = app

    @asynccontextmanager
    async def lifespan(_api: FastAPI) -> AsyncIterator[None]:
        yield
        await served.close()

    api = FastAPI(
        title="Helio API",
        version="1",
        debug=False,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json" if settings.docs_visible else None,
        lifespan=lifespan,
    )
    api.state.app = app
    install_error_handlers(api)
    include_routers(api)
    install_openapi(api)
    if settings.docs_visible:
        mount_docs(api)
    assert_every_route_guarded(api)
    _add_middleware(api, settings)
    return api


def _add_middleware(api: FastAPI, settings: Settings) -> None:
    # Added innermost first: the last one added wraps all the others.
    api.add_middleware(UnhandledErrorMiddleware)
    api.add_middleware(
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
    api.add_middleware(ContentTypeMiddleware)
    api.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        upload_max_bytes=settings.max_upload_bytes,
    )
    # One layer logs and counts (a single `send` wrapper for both).
    api.add_middleware(AccessLogMiddleware, metrics=True)
    api.add_middleware(SecurityHeadersMiddleware)
    api.add_middleware(RequestContextMiddleware, trusted_proxies=settings.trusted_proxies)
