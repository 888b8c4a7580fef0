"""Field types shared by the staff console's inputs and outputs."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from helio.kit.ids import ID_PATTERN
from helio.kit.schemas import UtcTime as UtcTime
from helio.kit.text import REASON_CHARS, chars

REASON_MIN_CHARS = 10
DEFAULT_LIMIT = 50
MAX_LIMIT = 200

Reason = Annotated[str, chars(REASON_CHARS, REASON_MIN_CHARS)]
ObjectId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=ID_PATTERN)]
