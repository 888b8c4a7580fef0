"""Production refuses unsafe settings, listing every problem at once."""

from __future__ import annotations

import base64
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from helio.config import Settings, UnsafeConfiguration
from helio.main import create_app

STRONG = "A9" + secrets.token_urlsafe(48)


def safe_production(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "production",
        "secret_key": STRONG,
        "ops_token": "B7" + secrets.token_urlsafe(48),
        "payment_webhook_secret": "C5" + secrets.token_urlsafe(48),
        "database_url": "mysql+asyncmy://helio_app:pw@db.internal:3306/helio",
        "redis_url": "rediss://cache.internal:6379/0",
        "smtp_url": "smtps://user:pw@smtp.internal:465",
        "public_url": "https://app.helio.example",
        "cors_origins": ["https://console.helio.example"],
        "trusted_proxies": ["10.0.0.0/8"],
        "data_dir": Path("/tmp/helio-prod-check"),
        "audit_signing_key": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.mark.asvs("V13.4.5")
def test_clean_production_config_starts() -> None:
    settings = safe_production()
    assert settings.production_problems() == []
    app = create_app(settings)
    assert app.openapi_url is None  # no docs in production


UNSAFE = [
    ({"secret_key": ""}, "HELIO_SECRET_KEY is not set"),
    ({"secret_key": "changeme-changeme-changeme-changeme"}, "default or placeholder"),
    ({"secret_key": "Zx9" + "q" * 10}, "shorter than"),
    ({"secret_key": "ab" * 20}, "too little entropy"),
    ({"ops_token": ""}, "HELIO_OPS_TOKEN is not set"),
    ({"payment_webhook_secret": ""}, "HELIO_PAYMENT_WEBHOOK_SECRET is not set"),
    ({"payment_webhook_secret": "whsec-short"}, "HELIO_PAYMENT_WEBHOOK_SECRET is shorter"),
    ({"debug": True}, "HELIO_DEBUG is on"),
    ({"docs_enabled": True}, "exposes the API docs"),
    ({"cors_origins": ["*"]}, "wildcard CORS origin"),
    ({"cors_origins": ["https://*.helio.example"]}, "wildcard CORS origin"),
    ({"cors_origins": ["http://console.helio.example"]}, "is not https://"),
    ({"public_url": "http://app.helio.example"}, "HELIO_PUBLIC_URL is not https://"),
    ({"database_url": ""}, "the database is SQLite"),
    ({"database_url": "sqlite+aiosqlite:///x.db"}, "the database is SQLite"),
    ({"database_url": "mysql+asyncmy://root@db.internal:3306/helio"}, "administrator account"),
    ({"database_url": "mysql+asyncmy://root:pw@db.internal/helio"}, "administrator account"),
    ({"database_url": "mysql+asyncmy://helio_app@db.internal/helio"}, "has an empty password"),
    ({"database_url": "mysql+asyncmy://helio_app:@db.internal/helio"}, "has an empty password"),
    ({"redis_url": None}, "no HELIO_REDIS_URL"),
    ({"cookie_secure": False}, "HELIO_COOKIE_SECURE is off"),
    ({"trusted_proxies": []}, "no HELIO_TRUSTED_PROXIES"),
    ({"smtp_url": None}, "no HELIO_SMTP_URL"),
    ({"audit_signing_key": ""}, "no HELIO_AUDIT_SIGNING_KEY"),
    ({"key_provider": "aws-kms", "kms_standin": True}, "replaces AWS KMS with a stand-in"),
    ({"key_provider": "aws-kms"}, "aws-kms needs HELIO_KMS_KEY_ID and HELIO_KMS_REGION"),
]


@pytest.mark.asvs("V13.4.2", "V13.4.5", "V13.3.1", "V13.2.3")
@pytest.mark.parametrize(("override", "message"), UNSAFE, ids=[m for _, m in UNSAFE])
def test_each_unsafe_setting_is_refused(override: dict[str, object], message: str) -> None:
    settings = safe_production(**override)
    with pytest.raises(UnsafeConfiguration) as refused:
        create_app(settings)
    assert any(message in problem for problem in refused.value.problems)


def test_every_problem_listed_at_once() -> None:
    settings = safe_production(debug=True, redis_url=None, cors_origins=["*"], secret_key="")
    with pytest.raises(UnsafeConfiguration) as refused:
        settings.assert_safe()
    assert len(refused.value.problems) == 4


def test_development_defaults_start() -> None:
    settings = Settings(data_dir=Path("/tmp/helio-dev-check"))
    settings.assert_safe()
    assert settings.effective_database_url.startswith("sqlite+aiosqlite:///")
    assert settings.docs_visible


def test_check_config_command_prints_the_same_verdict(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HELIO_ENV": "production",
        "HELIO_DATA_DIR": str(tmp_path),
        "HELIO_DEBUG": "true",
        "HELIO_CORS_ORIGINS": "*,http://x.example",
    }
    result = subprocess.run(
        [sys.executable, "-m", "helio.cli", "check-config"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "REFUSED" in result.stdout
    for expected in ("HELIO_DEBUG is on", "wildcard CORS origin", "SQLite", "HELIO_SECRET_KEY"):
        assert expected in result.stdout


class TestPublicUrlFollowsWhereTheApiServes:
    """Without HELIO_PUBLIC_URL, development serves its origin where HELIO_HOST/PORT say."""

    @pytest.fixture(autouse=True)
    def _no_public_url(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for name in ("HELIO_PUBLIC_URL", "HELIO_HOST", "HELIO_PORT", "HELIO_ENV"):
            monkeypatch.delenv(name, raising=False)

    def test_follows_host_and_port_from_the_environment(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        assert Settings().public_url == "http://127.0.0.1:8000"
        monkeypatch.setenv("HELIO_PORT", "18201")
        assert Settings().public_url == "http://127.0.0.1:18201"
        monkeypatch.setenv("HELIO_HOST", "localhost")
        assert Settings().public_url == "http://localhost:18201"
        assert Settings(host="::1", port=18202).public_url == "http://[::1]:18202"
        # A wildcard bind address is no origin a browser can show.
        assert Settings(host="0.0.0.0", port=18203).public_url == "http://127.0.0.1:18203"

    def test_an_explicit_origin_wins(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("HELIO_PORT", "18201")
        monkeypatch.setenv("HELIO_PUBLIC_URL", "http://dev.helio.localhost:3000")
        assert Settings().public_url == "http://dev.helio.localhost:3000"

    @pytest.mark.asvs("V13.4.5")
    def test_production_needs_an_explicit_https_origin(self) -> None:
        missing = safe_production(public_url="")
        assert missing.public_url == ""
        assert any("HELIO_PUBLIC_URL is not set" in p for p in missing.production_problems())
        derived = safe_production(public_url="", port=443)
        assert not derived.public_url.startswith("http")

    @pytest.mark.asvs("V3.4.2", "V3.5.1")
    async def test_the_served_origin_is_allowed_and_the_old_default_refused(
        self, settings: Settings, clean: object
    ) -> None:
        from httpx import ASGITransport, AsyncClient

        from helio.main import build_app

        values = settings.model_dump(exclude={"public_url", "env", "port", "cookie_secure"})
        moved = Settings(**values, env="development", port=18201)
        app = build_app(moved)
        transport = ASGITransport(app=create_app(moved, app), client=("127.0.0.1", 5000))
        body = {"email": "new@example.org", "password": "x" * 4, "full_name": "N"}
        try:
            async with AsyncClient(transport=transport, base_url=moved.public_url) as http:
                served = await http.post(
                    "/api/v1/auth/register", json=body, headers={"Origin": "http://127.0.0.1:18201"}
                )
                old = await http.post(
                    "/api/v1/auth/register", json=body, headers={"Origin": "http://127.0.0.1:8000"}
                )
        finally:
            await app.close()
        assert served.status_code == 422  # past the origin check, refused for the weak password
        assert old.status_code == 403
        assert old.json()["error"]["code"] == "origin_refused"
