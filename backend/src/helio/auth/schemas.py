"""Request and response bodies of /api/v1/auth; inputs refuse unknown fields."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, model_validator

# Generous bounds: the policy says what is wrong; these only stop abuse.
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
EmailText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=320)]
OpaqueToken = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterIn(Strict):
    email: Annotated[EmailStr, StringConstraints(max_length=254)]
    password: Password
    full_name: Name


class Accepted(BaseModel):
    status: Literal["accepted"] = "accepted"


class TokenIn(Strict):
    token: OpaqueToken


class LoginIn(Strict):
    email: EmailText
    password: Password


class LoginOut(BaseModel):
    mfa_required: bool
    mfa_token: str | None = None
    mfa_methods: list[str] | None = None
    mfa_enrolment: Literal["required", "offered"] | None = Field(
        default=None, description="Staff must enrol a second factor; customers are offered one."
    )


class MfaLoginIn(Strict):
    mfa_token: OpaqueToken
    code: Code


class TokenGrantIn(Strict):
    grant_type: Literal["password", "mfa", "refresh_token"]
    email: EmailText | None = None
    password: Password | None = None
    mfa_token: OpaqueToken | None = None
    code: Code | None = None
    refresh_token: OpaqueToken | None = None

    @model_validator(mode="after")
    def _fields_of_grant(self) -> TokenGrantIn:
        needed = {
            "password": ("email", "password"),
            "mfa": ("mfa_token", "code"),
            "refresh_token": ("refresh_token",),
        }[self.grant_type]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"grant_type {self.grant_type} needs {', '.join(missing)}")
        return self


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a scheme name
    expires_in: int
    refresh_token: str


class MfaChallengeOut(BaseModel):
    mfa_required: Literal[True] = True
    mfa_token: str
    mfa_methods: list[str]


class SessionOut(BaseModel):
    id: str
    kind: str
    device: str | None
    network: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    current: bool


class SessionList(BaseModel):
    items: list[SessionOut]
    next_cursor: str | None = None


class ForgotIn(Strict):
    email: EmailText


class ResetIn(Strict):
    token: OpaqueToken
    new_password: Password


class ChangePasswordIn(Strict):
    current_password: Password
    new_password: Password


class TotpSetupOut(BaseModel):
    secret: str
    otpauth_uri: str


class CodeIn(Strict):
    code: Code


class StepUpIn(Strict):
    code: Code | None = None
    password: Password | None = None


class ElevatedOut(BaseModel):
    """A replaced session: new cookies are set; bearer clients get new tokens here."""

    step_up_expires_at: datetime
    recovery_codes: list[str] | None = None
    tokens: TokenOut | None = None


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str]


class PasskeyOut(BaseModel):
    id: str
    name: str | None
    created_at: datetime
    last_used_at: datetime | None


class PasskeyList(BaseModel):
    items: list[PasskeyOut]
    next_cursor: str | None = None


class MfaStatusOut(BaseModel):
    totp: bool
    passkeys: list[PasskeyOut]
    recovery_codes_left: int
    methods_available: list[str] = ["totp", "webauthn"]


class PasskeyRegisterIn(Strict):
    credential: dict[str, Any]
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None


class PasskeyLoginOptionsIn(Strict):
    mfa_token: OpaqueToken


class PasskeyLoginIn(Strict):
    mfa_token: OpaqueToken
    credential: dict[str, Any]


class ChallengeOut(BaseModel):
    challenge: str
    scope: str
    difficulty_bits: int
    expires_at: int
    algorithm: Literal["sha256-leading-zero-bits"] = "sha256-leading-zero-bits"
    header: Literal["X-PoW-Solution"] = "X-PoW-Solution"
