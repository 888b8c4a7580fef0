"""Request and response bodies of sign-in (cookie and token) and proof of work."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

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


class PasswordGrantCreate(StrictInput):
    """Sign in with an email address and a password."""

    grant_type: Literal["password"]
    email: EmailText
    password: Password


class MfaGrantCreate(StrictInput):
    """Finish a sign-in with the second factor's code."""

    grant_type: Literal["mfa"]
    mfa_token: OpaqueToken
    code: Code


class RefreshGrantCreate(StrictInput):
    """Trade a refresh token for a new access and refresh token."""

    grant_type: Literal["refresh_token"]
    refresh_token: OpaqueToken


# One body per grant, told apart by `grant_type` (a `oneOf` in the OpenAPI document).
TokenGrantCreate = Annotated[
    PasswordGrantCreate | MfaGrantCreate | RefreshGrantCreate, Field(discriminator="grant_type")
]


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
