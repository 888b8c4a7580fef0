"""Request and response bodies of sign-in (cookie and token) and proof of work."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from helio.auth.fields import Code, EmailText, OpaqueToken, Password
from helio.kit.schemas import StrictInput


class LoginCreate(StrictInput):
    email: EmailText
    password: Password


class LoginRead(BaseModel):
    mfa_required: bool
    mfa_token: str | None = None
    mfa_methods: list[str] | None = None
    mfa_enrolment: Literal["required", "offered"] | None = Field(
        default=None, description="Staff must enrol a second factor; customers are offered one."
    )


class MfaLoginCreate(StrictInput):
    mfa_token: OpaqueToken
    code: Code


class TokenGrantCreate(StrictInput):
    grant_type: Literal["password", "mfa", "refresh_token"]
    email: EmailText | None = None
    password: Password | None = None
    mfa_token: OpaqueToken | None = None
    code: Code | None = None
    refresh_token: OpaqueToken | None = None

    @model_validator(mode="after")
    def _fields_of_grant(self) -> TokenGrantCreate:
        needed = {
            "password": ("email", "password"),
            "mfa": ("mfa_token", "code"),
            "refresh_token": ("refresh_token",),
        }[self.grant_type]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"grant_type {self.grant_type} needs {', '.join(missing)}")
        return self


class MfaChallengeRead(BaseModel):
    mfa_required: Literal[True] = True
    mfa_token: str
    mfa_methods: list[str]


class ChallengeRead(BaseModel):
    challenge: str
    scope: str
    difficulty_bits: int
    expires_at: int
    algorithm: Literal["sha256-leading-zero-bits"] = "sha256-leading-zero-bits"
    header: Literal["X-PoW-Solution"] = "X-PoW-Solution"
