"""Security tunables: session lifetimes, brute-force limits, token lifetimes, PoW, staff reveals.

The values are the documented security decisions (docs/authentication.md, PRODUCT.md
§4 A07). One frozen object per app (`App.auth_policy`); tests replace it with
`dataclasses.replace` to shorten waits, never to switch checks off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta


@dataclass(frozen=True)
class SessionLimits:
    """Inactivity and absolute lifetime of one kind of session."""

    idle: timedelta
    absolute: timedelta


@dataclass(frozen=True)
class AuthPolicy:
    """Every authentication tunable, with the product defaults."""

    # NIST SP 800-63B AAL2: re-authenticate after 30 min idle / 12 h; staff stricter.
    staff_web: SessionLimits = SessionLimits(timedelta(minutes=15), timedelta(hours=8))
    customer_web: SessionLimits = SessionLimits(timedelta(minutes=30), timedelta(hours=12))
    # Mobile apps hold a refresh token; its family lives 7 days idle, 30 days at most.
    customer_token: SessionLimits = SessionLimits(timedelta(days=7), timedelta(days=30))
    # Staff API clients get the staff web limits whatever the client.
    staff_token: SessionLimits = SessionLimits(timedelta(minutes=15), timedelta(hours=8))
    access_token_seconds: int = 300
    max_sessions_per_user: int = 20
    # Touching a session row on every request would make reads write; once a minute is enough.
    touch_interval_seconds: int = 60
    step_up_seconds: int = 300
    mfa_token_seconds: int = 300
    mfa_token_attempts: int = 5
    email_verification_seconds: int = 24 * 3600
    password_reset_seconds: int = 30 * 60
    webauthn_challenge_seconds: int = 300
    # Per account (keyed by the email typed, known or not): progressive delay, then lockout.
    delay_after_failures: int = 3
    wait_increment_seconds: int = 30
    max_wait_seconds: int = 15 * 60
    lockout_after_failures: int = 10
    lockout_seconds: int = 15 * 60
    failure_reset_seconds: int = 12 * 3600
    # Per client address and per network (/24, IPv6 /64), over a sliding hour.
    address_window_seconds: int = 3600
    pow_after_address_failures: int = 5
    pow_after_network_failures: int = 20
    block_after_address_failures: int = 100
    block_after_network_failures: int = 300
    # Sign-ups and reset requests from one address before proof of work is required.
    pow_after_public_requests: int = 5
    reset_mails_per_account_hour: int = 3
    pow_difficulty_bits: int = 18
    pow_ttl_seconds: int = 120
    pow_scopes: frozenset[str] = field(
        default_factory=lambda: frozenset({"login", "register", "forgot", "lead"})
    )

    def session_limits(self, *, staff: bool, kind: str) -> SessionLimits:
        """Return the limits for a staff or customer session of a kind (cookie | token)."""
        if kind == "cookie":
            return self.staff_web if staff else self.customer_web
        return self.staff_token if staff else self.customer_token


DEFAULT_POLICY = AuthPolicy()


@dataclass(frozen=True)
class StaffPolicy:
    """Limits on staff access to customer data."""

    # Per staff member: enough for a support shift, too few to copy the customer base.
    reveal_rate: str = "10/hour"
