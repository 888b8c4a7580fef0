"""Job families, one module each; `FAMILIES` is what the worker registers."""

from __future__ import annotations

from helio.worker.jobs import alerts, mail, scheduled
from helio.worker.registry import Family

FAMILIES: tuple[Family, ...] = (mail.FAMILY, alerts.FAMILY, scheduled.FAMILY)
