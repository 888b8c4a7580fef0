"""Request and response bodies of second factors, step-up and passkeys."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel

from helio.auth.fields import Code, OpaqueToken, Password
from helio.auth.tokens.schemas import TokenRead
from helio.kit.pagination import Page
from helio.kit.schemas import StrictInput, UtcTime
from helio.kit.text import PASSKEY_NAME_CHARS, chars


class TotpSetupRead(BaseModel):
    secret: str
    otpauth_uri: str


class TotpConfirmCreate(StrictInput):
    code: Code


class StepUpCreate(StrictInput):
    code: Code | None = None
    password: Password | None = None


class ElevatedRead(BaseModel):
    """A replaced session: new cookies are set; bearer clients get new tokens here."""

    step_up_expires_at: UtcTime
    recovery_codes: list[str] | None = None
    tokens: TokenRead | None = None


class RecoveryCodesRead(BaseModel):
    recovery_codes: list[str]


class PasskeyRead(BaseModel):
    id: str
    name: str | None
    created_at: UtcTime
    last_used_at: UtcTime | None


class PasskeyPage(Page[PasskeyRead]):
    """The caller's passkeys."""


class MfaStatusRead(BaseModel):
    totp: bool
    passkeys: list[PasskeyRead]
    recovery_codes_left: int
    methods_available: list[str] = ["totp", "webauthn"]


class PasskeyCreate(StrictInput):
    credential: dict[str, Any]
    name: Annotated[str, chars(PASSKEY_NAME_CHARS, None)] | None = None


class PasskeyLoginOptionsCreate(StrictInput):
    mfa_token: OpaqueToken


class PasskeyLoginCreate(StrictInput):
    mfa_token: OpaqueToken
    credential: dict[str, Any]


class PasskeySignInCreate(StrictInput):
    """POST /auth/webauthn/passkey/verify: the assertion of a discoverable passkey, no username."""

    credential: dict[str, Any]
