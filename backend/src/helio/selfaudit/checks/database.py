"""Checks on what the database holds: accounts, grants, reviews, hashes, keys, the audit chain."""

from __future__ import annotations

import re
from datetime import timedelta

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError

from helio.audit.monitor import run_verification
from helio.auth.login.passwords import DEFAULT_CONFIG
from helio.authz.rules import MAX_GRANT_MINUTES
from helio.keys_admin.status import key_status
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
from helio.staff.admin.review import DORMANT_AFTER_DAYS

CUSTOMER_DORMANT_DAYS = 730
PENDING_GRANT_HOURS = 24
ACCESS_REVIEW_DAYS = 90
SHRED_GRACE_HOURS = 36  # the daily shred job plus a missed run
VERIFY_MAX_SECONDS = 600.0
MAX_IDS = 10
NO_DATABASE = "no database given to the audit: run it inside the deployment (`helio audit report`)"


def _ids(ids: list[str]) -> str:
    shown = ", ".join(ids[:MAX_IDS])
    return shown + (f" … (+{len(ids) - MAX_IDS})" if len(ids) > MAX_IDS else "")


@check(
    "db.staff_mfa",
    category=Category.A07,
    severity=Severity.HIGH,
    source=Source.DATABASE,
    title="Every active staff account has a second factor",
    fix="Have each listed account enrol an authenticator app or passkey, or deactivate it "
    "(admin: Staff page); staff without MFA are refused everything but enrolment.",
)
async def staff_mfa(inputs: Inputs) -> Outcome:
    """Active staff accounts with neither TOTP nor a passkey."""
    if inputs.app is None:
        return manual(NO_DATABASE)
    async with inputs.app.db.transaction() as session:
        ids = await repository.staff_without_mfa(session)
        staff = await repository.active_staff_count(session)
    if ids:
        return failed(f"{len(ids)} of {staff} active staff account(s) without MFA: {_ids(ids)}")
    return passed(f"all {staff} active staff account(s) have a second factor")


@check(
    "db.dormant_staff",
    category=Category.A07,
    severity=Severity.MEDIUM,
    source=Source.DATABASE,
    title="No dormant staff accounts",
    fix=f"Deactivate staff accounts unused for more than {DORMANT_AFTER_DAYS} days "
    "(admin: access review), or record why they stay.",
)
async def dormant_staff(inputs: Inputs) -> Outcome:
    """Active staff accounts unused for longer than the access review allows."""
    if inputs.app is None:
        return manual(NO_DATABASE)
    before = inputs.now - timedelta(days=DORMANT_AFTER_DAYS)
    async with inputs.app.db.transaction() as session:
        ids = await repository.dormant(session, "staff", before)
    if ids:
        return failed(
            f"{len(ids)} staff account(s) unused for {DORMANT_AFTER_DAYS}+ days: {_ids(ids)}"
        )
    return passed(f"no active staff account unused for {DORMANT_AFTER_DAYS}+ days")


@check(
    "db.dormant_customers",
    category=Category.A04,
    severity=Severity.LOW,
    source=Source.DATABASE,
    title="Dormant customer accounts are known",
    fix="Apply the retention policy: remind, then close customer accounts unused for two years.",
)
async def dormant_customers(inputs: Inputs) -> Outcome:
    """Customer accounts unused for two years (data kept longer than needed)."""
    if inputs.app is None:
        return manual(NO_DATABASE)
    before = inputs.now - timedelta(days=CUSTOMER_DORMANT_DAYS)
    async with inputs.app.db.transaction() as session:
        ids = await repository.dormant(session, "customer", before)
    if ids:
        return warned(f"{len(ids)} customer account(s) unused for {CUSTOMER_DORMANT_DAYS}+ days")
    return passed(f"no customer account unused for {CUSTOMER_DORMANT_DAYS}+ days")


@check(
    "db.grants",
    category=Category.A01,
    severity=Severity.MEDIUM,
    source=Source.DATABASE,
    title="Just-in-time grants are short and decided",
    fix=f"Decide pending requests within {PENDING_GRANT_HOURS} h; revoke any open grant "
    f"longer than {MAX_GRANT_MINUTES} minutes (admin: Grants).",
)
async def grants(inputs: Inputs) -> Outcome:
    """Open grants (counted) and stale ones: undecided for a day, or longer than allowed."""
    if inputs.app is None:
        return manual(NO_DATABASE)
    pending_before = inputs.now - timedelta(hours=PENDING_GRANT_HOURS)
    async with inputs.app.db.transaction() as session:
        open_ids = await repository.open_grants(session, inputs.now)
        stale = await repository.stale_grants(
            session, inputs.now, pending_before=pending_before, max_minutes=MAX_GRANT_MINUTES
        )
    evidence = f"{len(open_ids)} open grant(s)"
    if stale:
        return failed(evidence, f"{len(stale)} stale grant(s): {_ids(stale)}")
    return passed(evidence, "no stale grant")


@check(
    "db.access_review",
    category=Category.A01,
    severity=Severity.MEDIUM,
    source=Source.DATABASE,
    title="The staff access review is attested every quarter",
    fix=f"An admin reviews and attests staff access at least every {ACCESS_REVIEW_DAYS} days "
    "(console: Access review → Attest).",
)
async def access_review(inputs: Inputs) -> Outcome:
    """The last attestation of the access review is recent."""
    if inputs.app is None:
        return manual(NO_DATABASE)
    async with inputs.app.db.transaction() as session:
        last = await repository.last_attestation_at(session)
        staff = await repository.active_staff_count(session)
    if last is None:
        if staff == 0:
            return passed("no active staff account to review")
        return failed(f"{staff} active staff account(s); the access review was never attested")
    days = (inputs.now - last).days
    if days > ACCESS_REVIEW_DAYS:
        return failed(f"last attestation {days} days ago (limit {ACCESS_REVIEW_DAYS})")
    return passed(f"last attestation {days} day(s) ago (limit {ACCESS_REVIEW_DAYS})")


def _hasher() -> PasswordHasher:
    return PasswordHasher(
        time_cost=DEFAULT_CONFIG.time_cost,
        memory_cost=DEFAULT_CONFIG.memory_cost,
        parallelism=DEFAULT_CONFIG.parallelism,
        type=Type.ID,
    )


_ARGON2ID = re.compile(r"\$argon2id\$")


@check(
    "db.password_hashes",
    category=Category.A02,
    severity=Severity.MEDIUM,
    source=Source.DATABASE,
    title="Password hashes use the current Argon2id parameters",
    fix="Nothing to run: outdated hashes are re-hashed at the next sign-in; force a password "
    "reset for accounts that stay outdated for a quarter.",
)
async def password_hashes(inputs: Inputs) -> Outcome:
    """Count stored hashes whose algorithm or cost is below the current one."""
    if inputs.app is None:
        return manual(NO_DATABASE)
    hasher, outdated, total, after = _hasher(), 0, 0, ""
    while True:
        async with inputs.app.db.transaction() as session:
            batch = await repository.password_hashes(session, after, 2000)
        if not batch:
            break
        for _, hashed in batch:
            total += 1
            outdated += _outdated(hasher, hashed)
        after = batch[-1][0]
    params = (
        f"argon2id m={DEFAULT_CONFIG.memory_cost} KiB, t={DEFAULT_CONFIG.time_cost}, "
        f"p={DEFAULT_CONFIG.parallelism}"
    )
    if outdated:
        return warned(f"{outdated} of {total} password hash(es) below {params}")
    return passed(f"all {total} password hash(es) at {params} or stronger")


def _outdated(hasher: PasswordHasher, hashed: str) -> bool:
    if not _ARGON2ID.match(hashed):
        return True
    try:
        return hasher.check_needs_rehash(hashed)
    except InvalidHashError:
        return True


@check(
    "db.key_rotation",
    category=Category.A02,
    severity=Severity.MEDIUM,
    source=Source.DATABASE,
    title="Data keys and key-encryption keys are rotated on time",
    fix="Run `helio keys rotate-kek` (re-wraps every data key) / `helio keys rotate-data-keys` "
    "and let unfinished rotations complete (`helio keys status`).",
)
async def key_rotation(inputs: Inputs) -> Outcome:
    """Data keys under an old KEK or not re-wrapped within the rotation period (warn; fail
    past twice the period); unfinished rotations."""
    if inputs.app is None:
        return manual(NO_DATABASE)
    status = await key_status(inputs.app)
    current = str(status["current KEK"])
    async with inputs.app.db.transaction() as session:
        keys = await repository.live_data_keys(session)
    period = inputs.settings.data_key_rotation_days
    old_kek = sum(kek != current for kek, _ in keys)
    due = sum(wrapped < inputs.now - timedelta(days=period) for _, wrapped in keys)
    overdue = sum(wrapped < inputs.now - timedelta(days=2 * period) for _, wrapped in keys)
    pending = str(status["unfinished rotations"])
    evidence = [
        f"{len(keys)} live data key(s); {old_kek} under a previous KEK",
        f"{due} not re-wrapped for {period}+ days, {overdue} for {2 * period}+ "
        "(HELIO_DATA_KEY_ROTATION_DAYS)",
        f"unfinished rotations: {pending}",
    ]
    if overdue:
        return failed(*evidence)
    if old_kek or due or pending != "-":
        return warned(*evidence)
    return passed(*evidence)


@check(
    "db.shred_due",
    category=Category.A04,
    severity=Severity.MEDIUM,
    source=Source.DATABASE,
    title="Deleted accounts are crypto-shredded when their grace period ends",
    fix="Run `helio keys shred-due` and check that the daily helio-shred-due CronJob succeeds.",
)
async def shred_due(inputs: Inputs) -> Outcome:
    """Accounts whose shredding deadline passed more than a daily run ago."""
    if inputs.app is None:
        return manual(NO_DATABASE)
    async with inputs.app.db.transaction() as session:
        due = await repository.shred_due(session, inputs.now)
    overdue = [d for d in due if d < inputs.now - timedelta(hours=SHRED_GRACE_HOURS)]
    evidence = f"{len(due)} account(s) due for shredding, {len(overdue)} overdue"
    return failed(evidence) if overdue else passed(evidence)


@check(
    "db.audit_chain",
    category=Category.A09,
    severity=Severity.CRITICAL,
    source=Source.DATABASE,
    title="The audit trail's hash chain and signed checkpoints verify",
    fix="Treat as an incident: `helio audit verify` names the first broken link; restore the "
    "rows from backup and find who could write them.",
)
async def audit_chain(inputs: Inputs) -> Outcome:
    """Walk the chain (a failure is also recorded, raising the audit_chain_broken alert)."""
    app = inputs.app
    if app is None:
        return manual(NO_DATABASE)
    result = await run_verification(app.settings, app.db, app.state, max_seconds=VERIFY_MAX_SECONDS)
    evidence = [
        f"{result.checked} of {result.head_seq} event(s) checked in {result.seconds:.1f} s",
        f"{result.checkpoints_verified} signed checkpoint(s) verified",
    ]
    if result.broken is not None:
        broken = result.broken
        return failed(*evidence, f"broken at event {broken.seq}: {broken.kind}")
    if not result.complete:
        return warned(*evidence, f"walk stopped after {VERIFY_MAX_SECONDS:.0f} s")
    return passed(*evidence)


@check(
    "db.audit_checkpoint",
    category=Category.A09,
    severity=Severity.MEDIUM,
    source=Source.DATABASE,
    title="The audit chain head is signed recently",
    fix="Check the checkpoint scheduler (events are flowing?) or run `helio audit checkpoint`.",
)
async def audit_checkpoint(inputs: Inputs) -> Outcome:
    """The newest signed checkpoint is younger than two checkpoint intervals."""
    if inputs.app is None:
        return manual(NO_DATABASE)
    async with inputs.app.db.transaction() as session:
        last = await repository.last_checkpoint(session)
        head_seq = await repository.audit_head_seq(session)
    if head_seq == 0:
        return passed("the trail is empty: nothing to sign yet")
    if last is None:
        return warned(f"{head_seq} event(s) and no signed checkpoint")
    age = (inputs.now - last.created_at).total_seconds()
    limit = 2 * inputs.settings.audit_checkpoint_interval_seconds
    evidence = (
        f"last checkpoint at event {last.seq} of {head_seq}, signed by key {last.key_id}, "
        f"{age / 3600:.1f} h ago"
    )
    if age > limit and last.seq < head_seq:
        return warned(evidence, f"older than two intervals ({limit} s) with newer events")
    return passed(evidence)


_DDL = re.compile(
    r"\b(ALL PRIVILEGES|ALTER|CREATE|DROP|INDEX|REFERENCES|GRANT OPTION|SUPER|FILE|PROCESS|"
    r"SHUTDOWN|RELOAD|EVENT|TRIGGER|CREATE USER|EXECUTE|LOCK TABLES)\b"
)
_AUDIT_REWRITE = re.compile(r"\b(UPDATE|DELETE)\b.* ON `[^`]+`\.`(audit_events|audit_checkpoints)`")


@check(
    "db.app_user_grants",
    category=Category.A05,
    severity=Severity.HIGH,
    source=Source.DATABASE,
    title="The app's database user holds DML only (SHOW GRANTS)",
    fix="Give the app user exactly the grants of `helio db grants` and migrate as the separate "
    "migration user (HELIO_MIGRATE_DATABASE_URL); REVOKE the rest.",
)
async def app_user_grants(inputs: Inputs) -> Outcome:
    """What the connected app user may really do: no DDL, no admin rights, no audit rewrite."""
    db = inputs.grants_db or (inputs.app.db if inputs.app else None)
    if db is None:
        return manual(NO_DATABASE)
    if db.engine.dialect.name not in {"mysql", "mariadb"}:
        return manual(f"{db.engine.dialect.name} has no GRANTs; production runs on MySQL")
    async with db.transaction() as session:
        user = await repository.current_user(session)
        lines = await repository.show_grants(session)
    too_much = sorted({m.group(1) for line in lines for m in _DDL.finditer(_privileges(line))})
    rewrites = [m.group(2) for line in lines if (m := _AUDIT_REWRITE.search(line))]
    evidence = [f"user {_account(user)}: {len(lines)} GRANT line(s)"]
    if too_much or rewrites:
        if too_much:
            evidence.append("privileges beyond DML: " + ", ".join(too_much))
        if rewrites:
            evidence.append("may rewrite audit tables: " + ", ".join(sorted(set(rewrites))))
        return failed(*evidence)
    return passed(*evidence, "DML only; audit tables append-only")


def _privileges(line: str) -> str:
    """The privilege list of one GRANT line (the part before ` ON `), plus WITH GRANT OPTION."""
    head, _, rest = line.partition(" ON ")
    return head + (" GRANT OPTION" if "WITH GRANT OPTION" in rest else "")


def _account(user: str) -> str:
    name, _, host = user.partition("@")
    return f"{name}@{host}" if host else name
