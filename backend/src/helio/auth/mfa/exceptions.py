"""Errors of second factors and step-up."""

from __future__ import annotations

from helio.errors import BadRequest, Conflict, Unauthenticated


class MfaTokenInvalid(Unauthenticated):
    code, message = "mfa_token_invalid", "This sign-in attempt has expired; sign in again."


class InvalidCode(Unauthenticated):
    code, message = "invalid_code", "The code is not valid."


class WrongCode(BadRequest):
    """A wrong code within a valid session (setup, step-up): 400, never 401.

    A 401 tells a client its session is gone; this one is not.
    """

    code, message = "invalid_code", "The code is not valid."


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
