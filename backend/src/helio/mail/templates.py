"""Plain-text templates of every mail Helio sends.

Plain text only: no HTML means no markup injection through a name, and links
are printed in full so users can check where they lead. Values are filled
with `string.Template.safe_substitute`; no template logic runs on user data.
People's names lose any control character on the way in, even one stored
before requests refused them, so a name cannot add lines to a mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Template

from helio.kit.text import without_controls

# Placeholders filled with a name a person typed.
NAME_PLACEHOLDERS = frozenset({"name", "inviter"})
SIGNATURE = "\n-- \nHelio Solar\nThis message was sent automatically; replies are not read.\n"


@dataclass(frozen=True)
class MailTemplate:
    """A subject and a body with $placeholders."""

    subject: str
    body: Template


TEMPLATES: dict[str, MailTemplate] = {
    "verification": MailTemplate(
        "Confirm your email address",
        Template(
            "Hello $name,\n\nPlease confirm your email address to finish creating your Helio "
            "account:\n\n$link\n\nThe link works once and expires in $hours hours. If you did "
            "not sign up, ignore this message; no account is activated without it.\n"
        ),
    ),
    "already_registered": MailTemplate(
        "You already have a Helio account",
        Template(
            "Hello $name,\n\nSomeone (perhaps you) tried to create a Helio account with this "
            "email address, which already has one. If you forgot your password, reset it "
            "here:\n\n$link\n\nIf this was not you, no action is needed.\n"
        ),
    ),
    "reset": MailTemplate(
        "Reset your Helio password",
        Template(
            "Hello $name,\n\nWe received a request to reset your password. Choose a new one "
            "here:\n\n$link\n\nThe link works once and expires in $minutes minutes. If you did "
            "not ask for this, ignore this message; your password stays unchanged.\n"
        ),
    ),
    "new_device": MailTemplate(
        "New sign-in to your Helio account",
        Template(
            "Hello $name,\n\nYour account was just signed in to from a new device or "
            "network:\n\n  When:    $when\n  Device:  $device\n  Network: $network\n\n"
            "If this was you, nothing to do. If not, change your password now and review "
            "your signed-in devices in your account settings.\n"
        ),
    ),
    "password_changed": MailTemplate(
        "Your Helio password was changed",
        Template(
            "Hello $name,\n\nThe password of your Helio account was changed on $when "
            "($how). $sessions\n\nIf this was not you, reset your password at once:\n\n$link\n"
        ),
    ),
    "mfa_changed": MailTemplate(
        "Your Helio sign-in security changed",
        Template(
            "Hello $name,\n\nThe two-step verification of your account changed on $when: "
            "$change.\n\nIf this was not you, reset your password at once and contact "
            "support:\n\n$link\n"
        ),
    ),
    "account_locked": MailTemplate(
        "Sign-in to your Helio account was paused",
        Template(
            "Hello $name,\n\nAfter several failed sign-in attempts, sign-in to your account "
            "is paused for $minutes minutes (since $when). Your account is safe; if these "
            "attempts were not yours, consider changing your password:\n\n$link\n"
        ),
    ),
    "staff_invitation": MailTemplate(
        "You are invited to the Helio staff console",
        Template(
            "Hello $name,\n\n$inviter invited you to the Helio staff console. Accept the "
            "invitation, choose your password and set up two-step verification here:\n\n"
            "$link\n\nThe link works once and expires in $hours hours.\n"
        ),
    ),
    "order_step": MailTemplate(
        "Your Helio order has a new step",
        Template(
            "Hello,\n\nYour solar installation order has a new step: $step.$appointment\n\n"
            "The details and the whole timeline are in your account:\n\n$link\n"
        ),
    ),
    "access_review_due": MailTemplate(
        "The Helio staff access review is due",
        Template(
            "Hello,\n\nThe review of who holds which staff role is due ($since). Review the "
            "staff accounts, roles and MFA in the console and attest the review there:\n\n"
            "$link\n\nYou receive this once per review period while the review is open.\n"
        ),
    ),
    "customer_invitation": MailTemplate(
        "Your Helio account is ready to be set up",
        Template(
            "Hello $name,\n\nAs agreed with our sales team, you can now create your Helio "
            "account: choose your password here and follow your quote and installation "
            "online:\n\n$link\n\nThe link works once and expires in $hours hours. If you did "
            "not ask Helio to contact you, ignore this message.\n"
        ),
    ),
    "contact_corrected": MailTemplate(
        "Your Helio contact details were updated",
        Template(
            "Hello,\n\nHelio support updated the contact details of your account ($fields) "
            "on $when. If you did not ask for this, contact Helio support and reset your "
            "password:\n\n$link\n"
        ),
    ),
}


def render(template_name: str, /, **values: str) -> tuple[str, str]:
    """Return the subject and body of a template filled with `values`.

    Raises:
        KeyError: no template of that name.
    """
    template = TEMPLATES[template_name]
    filled = {
        key: without_controls(value) if key in NAME_PLACEHOLDERS else value
        for key, value in values.items()
    }
    return template.subject, template.body.safe_substitute(filled) + SIGNATURE
