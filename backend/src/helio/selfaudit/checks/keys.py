"""Checks on signing keys' ages: the access-token (JWT) key and the audit checkpoint key.

Each is judged against its rotation period from the settings: older than the period is due
(warn), older than twice the period is overdue (fail). A key that cannot be read is a failure:
the app cannot sign with it either.
"""

from __future__ import annotations

from datetime import UTC, datetime

from helio.audit.checkpoints import current_signing_key
from helio.security.crypto import DecryptionError
from helio.security.files import KeyringError
from helio.selfaudit import repository
from helio.selfaudit.inputs import Inputs
from helio.selfaudit.registry import (
    Category,
    Outcome,
    Severity,
    Source,
    check,
    failed,
    manual,
    passed,
    warned,
)

NO_APP = "no app given to the audit: run it inside the deployment (`helio audit report`)"
SECONDS_PER_DAY = 86_400


def judge_age(what: str, since: datetime, now: datetime, period_days: int, setting: str) -> Outcome:
    """Pass a key younger than its rotation period, warn when due, fail when twice overdue."""
    days = max(0, int((now - since).total_seconds() // SECONDS_PER_DAY))
    evidence = f"{what}: {days} day(s) old; rotation every {period_days} days ({setting})"
    if days > 2 * period_days:
        return failed(evidence, "overdue: older than twice the rotation period")
    if days > period_days:
        return warned(evidence, "due for rotation")
    return passed(evidence)


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


@check(
    "config.jwt_key_age",
    category=Category.A02,
    severity=Severity.MEDIUM,
    source=Source.CONFIG,
    title="The access-token signing key is rotated on time",
    fix="Run `helio keys rotate-jwt` (the previous key keeps verifying for its grace period); "
    "a key file that cannot be read must be restored from the secret store or replaced.",
)
async def jwt_key_age(inputs: Inputs) -> Outcome:
    """The age of the current JWT signing key against HELIO_JWT_KEY_ROTATION_DAYS."""
    if inputs.app is None:
        return manual(NO_APP)
    try:
        keys = await inputs.app.server_keys.stored_signing()
    except (KeyringError, DecryptionError, ValueError, KeyError) as error:
        return failed(f"the JWT signing key file cannot be read ({type(error).__name__})")
    if keys is None:
        return passed("no JWT signing key yet: one is made at the first sign-in")
    current = keys.current
    made = datetime.fromtimestamp(current.created_at, UTC).replace(tzinfo=None)
    return judge_age(
        f"JWT signing key {current.kid[:12]}",
        made,
        inputs.now,
        inputs.settings.jwt_key_rotation_days,
        "HELIO_JWT_KEY_ROTATION_DAYS",
    )


@check(
    "config.audit_key_age",
    category=Category.A08,
    severity=Severity.MEDIUM,
    source=Source.CONFIG,
    title="The audit checkpoint signing key is rotated on time",
    fix="Run `helio audit rotate-key` (or put a new seed in HELIO_AUDIT_SIGNING_KEY) and give "
    "the new public key (`helio audit public-key`) to offline verifiers.",
)
async def audit_key_age(inputs: Inputs) -> Outcome:
    """The age of the checkpoint key: its file date, else its first signed checkpoint."""
    if inputs.app is None:
        return manual(NO_APP)
    try:
        key = current_signing_key(inputs.settings)
    except (KeyringError, ValueError) as error:
        return failed(f"the audit signing key cannot be loaded ({type(error).__name__})")
    if key is None:
        return passed("no checkpoint signing key yet: one is made at the first checkpoint")
    async with inputs.app.db.transaction() as session:
        first_used = await repository.first_checkpoint_at(session, key.key_id)
    known = [_naive_utc(t) for t in (key.created_at, first_used) if t is not None]
    origin = "HELIO_AUDIT_SIGNING_KEY" if key.configured else "key file"
    if not known:
        return passed(f"checkpoint key {key.key_id} ({origin}) has signed nothing yet")
    return judge_age(
        f"checkpoint key {key.key_id} ({origin})",
        min(known),
        inputs.now,
        inputs.settings.audit_key_rotation_days,
        "HELIO_AUDIT_KEY_ROTATION_DAYS",
    )
