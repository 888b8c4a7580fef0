"""Field types shared by the order inputs and outputs: times with their offset, the contact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator

from helio.kit.schemas import Instant
from helio.kit.schemas import UtcTime as UtcTime
from helio.kit.schemas import as_utc as as_utc
from helio.kit.text import REASON_CHARS, PersonName, PhoneText, chars
from helio.kit.text import Note as TimelineNote
from helio.security.blind_index import normalise_phone

MIN_WINDOW = timedelta(minutes=30)
MAX_WINDOW = timedelta(hours=12)


def stored(value: datetime) -> datetime:
    """Return an aware time as the naive UTC value a DATETIME(6) column holds."""
    return value.astimezone(UTC).replace(tzinfo=None)


def _international(value: str) -> str:
    # The number must carry its country code: an installer calls it as written.
    normalise_phone(value)
    return value


# Inputs must say their offset ("2027-03-01T09:00:00+01:00"); answers come back in UTC.
AwareTime = Instant
Note = TimelineNote
# Why a change was made, as staff state it (kept in the audit trail).
Reason = Annotated[str, chars(REASON_CHARS, 10)]
ContactName = PersonName
ContactPhone = Annotated[PhoneText, AfterValidator(_international)]
