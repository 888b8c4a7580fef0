"""Checks as small independent units: id, OWASP category, severity, the source they read, a fix.

A check is an async function that takes the gathered `Inputs` and returns an `Outcome`
(verdict and evidence). `@check(...)` registers it; the runner calls every registered
check and turns each outcome into a `Finding`. Evidence is counts, ids, names of settings
and HTTP headers: never an email, a name, an address or a secret.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helio.selfaudit.inputs import Inputs


class Category(StrEnum):
    """The OWASP Top 10 (2021) categories."""

    A01 = "A01"
    A02 = "A02"
    A03 = "A03"
    A04 = "A04"
    A05 = "A05"
    A06 = "A06"
    A07 = "A07"
    A08 = "A08"
    A09 = "A09"
    A10 = "A10"


CATEGORY_TITLES: dict[Category, str] = {
    Category.A01: "Broken Access Control",
    Category.A02: "Cryptographic Failures",
    Category.A03: "Injection",
    Category.A04: "Insecure Design",
    Category.A05: "Security Misconfiguration",
    Category.A06: "Vulnerable and Outdated Components",
    Category.A07: "Identification and Authentication Failures",
    Category.A08: "Software and Data Integrity Failures",
    Category.A09: "Security Logging and Monitoring Failures",
    Category.A10: "Server-Side Request Forgery",
}


class Severity(StrEnum):
    """How bad a failed check is; the exit code follows the worst one."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 (info) … 4 (critical); the exit code of a report whose worst failure it is."""
        return list(Severity).index(self)


class Verdict(StrEnum):
    """What a check concluded."""

    PASS = "pass"  # noqa: S105 - a verdict, not a password
    FAIL = "fail"
    WARN = "warn"
    MANUAL = "manual"  # the evidence could not be gathered here; a person must look


class Source(StrEnum):
    """Where a check's evidence comes from."""

    CONFIG = "config"
    DATABASE = "database"
    HTTP = "http"
    REDIS = "redis"
    DEPLOY = "deploy"
    DEPENDENCIES = "dependencies"


@dataclass(frozen=True)
class Outcome:
    """A check's verdict and the evidence behind it (no personal data, no secrets)."""

    verdict: Verdict
    evidence: tuple[str, ...]

    @classmethod
    def of(cls, verdict: Verdict, *evidence: str) -> Outcome:
        """Build an outcome from a verdict and evidence lines."""
        return cls(verdict, tuple(evidence))


def passed(*evidence: str) -> Outcome:
    """A passing outcome."""
    return Outcome.of(Verdict.PASS, *evidence)


def failed(*evidence: str) -> Outcome:
    """A failing outcome."""
    return Outcome.of(Verdict.FAIL, *evidence)


def warned(*evidence: str) -> Outcome:
    """A warning: not a failure, but a person should look."""
    return Outcome.of(Verdict.WARN, *evidence)


def manual(why: str) -> Outcome:
    """The check could not gather its evidence here; `why` says what a person must do."""
    return Outcome.of(Verdict.MANUAL, why)


CheckFn = Callable[["Inputs"], Awaitable[Outcome]]


@dataclass(frozen=True)
class Check:
    """One registered check."""

    id: str
    category: Category
    severity: Severity
    source: Source
    title: str
    fix: str
    run: CheckFn = field(compare=False, repr=False)


REGISTRY: dict[str, Check] = {}


def check(
    check_id: str,
    *,
    category: Category,
    severity: Severity,
    source: Source,
    title: str,
    fix: str,
) -> Callable[[CheckFn], CheckFn]:
    """Register a check under a unique id (`<source>.<what>`)."""

    def register(fn: CheckFn) -> CheckFn:
        if check_id in REGISTRY:
            raise ValueError(f"check {check_id} registered twice")
        REGISTRY[check_id] = Check(check_id, category, severity, source, title, fix, fn)
        return fn

    return register


def all_checks() -> list[Check]:
    """Every check, by category then id (imports the check modules once)."""
    from helio.selfaudit.checks import (  # noqa: F401 - importing registers the checks
        config,
        database,
        deploy,
        deps,
        http,
        keys,
        redis,
    )

    return sorted(REGISTRY.values(), key=lambda c: (c.category, c.id))
