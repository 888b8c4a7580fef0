"""The self-audit's errors."""

from __future__ import annotations

from helio.errors import NotFound


class NoReportYet(NotFound):
    code, message = "no_self_audit_report", "No self-audit report has been stored yet."
