"""Build a well-formed message from a template: headers set safely, plain-text body."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from helio.config import Settings
from helio.kit.clock import clock
from helio.mail.templates import render


def compose(settings: Settings, /, *, to: str, template: str, **values: str) -> EmailMessage:
    """Return the message of `template` addressed to `to`.

    Header values go through the email package's header registry, which
    refuses CR/LF, so a crafted name or address cannot inject headers.
    """
    subject, body = render(template, **values)
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = Address(addr_spec=to)
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.now())
    domain = settings.mail_from.rpartition("@")[2].rstrip(">").strip() or "helio.localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message
