"""Log redaction: PII and secrets never reach the rendered log line."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import structlog
from hypothesis import given, settings
from hypothesis import strategies as st

from helio.security.redaction import (
    EMAIL_MASK,
    PHONE_MASK,
    REDACTED,
    is_sensitive_key,
    mask_text,
    redact_pii,
)

REQUEST_ID = "3f2b9c1e8a7d4e6f9b0a1c2d3e4f5a6b"


def render(**event: Any) -> tuple[str, dict[str, Any]]:
    """Log one event through redaction and the JSON renderer; return the line and its data."""
    out = io.StringIO()
    logger = structlog.wrap_logger(
        structlog.PrintLogger(file=out),
        processors=[
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_pii,
            structlog.processors.JSONRenderer(sort_keys=True),
        ],
    )
    message = event.pop("event")
    logger.info(message, **event)
    line = out.getvalue()
    return line, json.loads(line)


@pytest.mark.asvs("V16.2.5", "V14.2.4")
class TestSampleEvent:
    def test_pii_and_secrets_are_redacted_and_metadata_kept(self) -> None:
        line, data = render(
            event="signup by ann.lee@example.com from +1 (415) 555-0100",
            request_id=REQUEST_ID,
            email="ann.lee@example.com",
            phone="+14155550100",
            password="correct horse battery staple",
            full_name="Ann Lee",
            method="POST",
            route="/api/v1/customers",
            status_code=201,
            duration_ms=12.5,
            client_ip="203.0.113.7",
        )
        for secret in ("ann.lee", "555-0100", "4155550100", "horse", "Ann Lee"):
            assert secret not in line
        assert data["event"] == f"signup by {EMAIL_MASK} from {PHONE_MASK}"
        assert data["email"] == data["phone"] == data["password"] == data["full_name"] == REDACTED
        assert data["request_id"] == REQUEST_ID
        assert (data["method"], data["route"], data["status_code"]) == (
            "POST",
            "/api/v1/customers",
            201,
        )
        assert data["duration_ms"] == 12.5
        assert data["client_ip"] == "203.0.113.7"
        assert datetime.fromisoformat(data["timestamp"]).tzinfo is not None

    def test_nested_headers_bodies_and_lists_are_redacted(self) -> None:
        line, data = render(
            event="request",
            headers={
                "Authorization": "Bearer eyJhbGciOiJFZERTQSJ9.e30.sig",
                "Cookie": "helio_session=s3cr3t-session-value",
                "X-Request-Id": REQUEST_ID,
                "X-CSRF-Token": "csrf-token-value",
            },
            users=[{"email": "b@example.org", "id": 7}, {"recovery_codes": ["abcd-efgh"]}],
            body={"anything": "at all"},
            mfa={"code": "123456"},
        )
        for secret in ("eyJhbGci", "s3cr3t", "csrf-token-value", "b@example.org", "abcd-efgh"):
            assert secret not in line
        assert data["headers"]["X-Request-Id"] == REQUEST_ID
        assert data["users"][0] == {"email": REDACTED, "id": 7}
        assert data["body"] == data["mfa"] == REDACTED

    def test_the_callers_dicts_are_not_mutated(self) -> None:
        headers = {"Authorization": "Bearer abcdefghijkl"}
        render(event="x", headers=headers)
        assert headers == {"Authorization": "Bearer abcdefghijkl"}

    def test_exception_text_is_scanned(self) -> None:
        _, data = render(event="failed", exception="IntegrityError: Duplicate entry 'ann@x.io'")
        assert data["exception"] == f"IntegrityError: Duplicate entry '{EMAIL_MASK}'"

    def test_objects_are_rendered_as_scanned_text(self) -> None:
        class Customer:
            def __str__(self) -> str:
                return "Customer(ann@example.com)"

        at = datetime(2025, 1, 31, 12, 0, tzinfo=UTC)
        _, data = render(event="x", customer=Customer(), at=at, ref=uuid.UUID(int=7))
        assert data["customer"] == f"Customer({EMAIL_MASK})"
        assert data["at"] == "2025-01-31T12:00:00+00:00"
        assert data["ref"] == "00000000-0000-0000-0000-000000000007"

    def test_deep_nesting_is_truncated(self) -> None:
        nested: dict[str, Any] = {"leaf": "x"}
        for _ in range(20):
            nested = {"inner": nested}
        line, _ = render(event="x", nested=nested)
        assert "[truncated]" in line


@pytest.mark.asvs("V16.2.5")
class TestKeys:
    @pytest.mark.parametrize(
        "key",
        [
            "email", "user_email", "emailAddress", "phone", "mobile_phone", "full_name", "name",
            "first_name", "address", "billing_address", "street", "password", "new_password",
            "token", "access_token", "refreshToken", "secret", "client_secret", "Authorization",
            "Proxy-Authorization", "cookie", "Set-Cookie", "code", "mfa_code",
            "verification_code", "recovery", "recovery_codes", "mfa", "otp", "totp_secret",
            "x-api-key", "private_key", "notes", "postal_code", "query_string", "request_body",
        ],
    )  # fmt: skip
    def test_sensitive_keys(self, key: str) -> None:
        assert is_sensitive_key(key)

    @pytest.mark.parametrize(
        "key",
        [
            "event", "request_id", "timestamp", "level", "method", "route", "status_code",
            "http_status_code", "error_code", "country_code", "duration_ms", "client_ip",
            "ip_address", "user_id", "session_id", "action", "outcome", "mfa_method", "count",
        ],
    )  # fmt: skip
    def test_metadata_keys(self, key: str) -> None:
        assert not is_sensitive_key(key)


@pytest.mark.asvs("V16.2.5")
class TestMaskText:
    @pytest.mark.parametrize(
        ("text", "masked"),
        [
            ("user ann.lee+x@example.co.uk signed in", f"user {EMAIL_MASK} signed in"),
            ("call +1 (415) 555-0100 now", f"call {PHONE_MASK} now"),
            ("(415) 555-0100", PHONE_MASK),
            ("ring 415-555-0100.", f"ring {PHONE_MASK}."),
            ("ring 415.555.0100: urgent", f"ring {PHONE_MASK}: urgent"),
            ("tel:+14155550100", f"tel:{PHONE_MASK}"),
            ("+44 (0)20 7946 0000", PHONE_MASK),
            ("Authorization: Bearer abc.def.ghijkl", f"Authorization: Bearer {REDACTED}"),
            ("https://u:pw@db.example.com/x", f"https://u:{EMAIL_MASK}/x"),
        ],
    )
    def test_pii_shapes_are_masked(self, text: str, masked: str) -> None:
        assert mask_text(text) == masked

    @pytest.mark.parametrize(
        "text",
        [
            REQUEST_ID,
            "123e4567-e89b-12d3-a456-426614174000",
            "12345678-1234-5678-1234-567812345678",
            "2025-01-31T12:00:00.123456+00:00",
            "2025-01-31T12:00:00Z",
            "2025-01-31 12:43:46.107267+00:00",
            "2025-01-31",
            "31.01.2025",
            "took 1234.5678 ms",
            "duration=12.345678s",
            "0.000123",
            "from 192.168.100.200",
            "epoch 1735689600",
            "processed 1500000 rows",
            "GET /api/v1/customers/8a3f0e2c-1b4d-4c5e-9f6a-7b8c9d0e1f2a/sites?page=2",
        ],
    )
    def test_ids_times_and_durations_are_untouched(self, text: str) -> None:
        assert mask_text(text) == text

    @settings(derandomize=True, database=None, max_examples=300)
    @given(
        value=st.one_of(
            st.uuids().map(str),
            st.uuids().map(lambda u: u.hex),
            st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
            st.datetimes().map(lambda d: d.isoformat()),
            st.floats(min_value=0, max_value=1e6, allow_nan=False).map(lambda f: f"{f}ms"),
        )
    )
    def test_generated_ids_and_timestamps_are_untouched(self, value: str) -> None:
        assert mask_text(value) == value
        assert redact_pii(None, "info", {"event": value, "request_id": value}) == {
            "event": value,
            "request_id": value,
        }

    @settings(derandomize=True, database=None, max_examples=200)
    @given(
        local=st.from_regex(r"[a-z0-9._+-]{1,20}", fullmatch=True),
        domain=st.from_regex(r"[a-z0-9-]{1,20}\.[a-z]{2,6}", fullmatch=True),
    )
    def test_generated_emails_are_masked(self, local: str, domain: str) -> None:
        email = f"{local}@{domain}"
        assert email not in mask_text(f"login failed for {email} today")

    def test_long_hostile_input_is_handled_quickly(self) -> None:
        # Bounded quantifiers keep the scan linear; this would take minutes otherwise.
        text = "a" * 100_000 + "@" + "b." * 50_000
        assert len(mask_text(text)) < len(text)
