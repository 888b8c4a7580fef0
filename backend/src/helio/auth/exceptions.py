"""Errors of the auth layer; messages say what to do, never which part failed."""

from __future__ import annotations

from helio.errors import BadRequest, Conflict, Forbidden, Unauthenticated


class InvalidCredentials(Unauthenticated):
    code, message = "invalid_credentials", "Email or password is incorrect."


class EmailNotVerified(Forbidden):
    code, message = (
        "email_not_verified",
        "Confirm your email address first; we have sent you a new link.",
    )


class MfaTokenInvalid(Unauthenticated):
    code, message = "mfa_token_invalid", "This sign-in attempt has expired; sign in again."


class InvalidCode(Unauthenticated):
    code, message = "invalid_code", "The code is not valid."


class InvalidGrant(Unauthenticated):
    code, message = "invalid_grant", "The grant is not valid; sign in again."


class InvalidLinkToken(BadRequest):
    code, message = "invalid_token", "This link is invalid, used or expired; request a new one."


class WrongPassword(Forbidden):
    code, message = "invalid_password", "The password is not correct."


class MfaAlreadyEnrolled(Conflict):
    code, message = "mfa_already_enrolled", "An authenticator app is already set up."


class MfaNotPending(Conflict):
    code, message = "mfa_not_pending", "Start the authenticator setup first."


class MfaNotEnrolled(Conflict):
    code, message = "mfa_not_enrolled", "No authenticator app is set up."


class StaffNeedsMfa(Conflict):
    code, message = (
        "mfa_required_for_staff",
        "Staff accounts must keep a second factor; add another one before removing this one.",
    )


class WebAuthnFailed(BadRequest):
    code, message = "webauthn_failed", "The passkey could not be verified; try again."


class PasskeyExists(Conflict):
    code, message = "passkey_exists", "This passkey is already registered."


class StepUpMethodRefused(BadRequest):
    code, message = (
        "step_up_method",
        "Confirm with your second factor (code), or with your password if you have none.",
    )
