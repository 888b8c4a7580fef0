"""Request and response bodies of sign-up, email verification and passwords."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, StringConstraints

from helio.auth.fields import EmailText, Name, OpaqueToken, Password
from helio.kit.schemas import StrictInput
from helio.kit.text import EMAIL_CHARS


class RegistrationCreate(StrictInput):
    email: Annotated[EmailStr, StringConstraints(max_length=EMAIL_CHARS)]
    password: Password
    full_name: Name


class AcceptedRead(BaseModel):
    status: Literal["accepted"] = "accepted"


class EmailVerificationCreate(StrictInput):
    token: OpaqueToken


class PasswordForgotCreate(StrictInput):
    email: EmailText


class PasswordResetCreate(StrictInput):
    token: OpaqueToken
    new_password: Password


class PasswordChangeCreate(StrictInput):
    current_password: Password
    new_password: Password
