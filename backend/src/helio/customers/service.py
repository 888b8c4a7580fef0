"""The customer's own account: read and change the profile, export every own record."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Target
from helio.auth.accounts.profiles import Profile, read_profile, update_pii
from helio.customers import repository
from helio.customers.schemas import AccountExportRead, ProfileRead, ProfileUpdate
from helio.errors import NotFound
from helio.kit.clock import utcnow
from helio.logging import get_logger
from helio.models import ConsentEvent, User
from helio.platform.context import Ctx
from helio.security.crypto import DecryptionError
from helio.security.vault import KeyDestroyed

log = get_logger("customers")

PII_FIELDS = ("full_name", "phone", "address")
MARKETING = "marketing"
USER = "user"


async def load_own_account(session: AsyncSession, ctx: Ctx, *, lock: bool = False) -> User:
    """Return the caller's live account.

    Raises:
        NotFound: the account is gone or deleted.
    """
    user = await repository.get_user(session, ctx.caller.user_id, lock=lock)
    if user is None or user.deleted_at is not None:
        raise NotFound
    return user


async def decrypt_profile(session: AsyncSession, ctx: Ctx, *, user: User) -> Profile:
    """Decrypt an account's profile; an integrity failure is logged and audited, then raised.

    Raises:
        DecryptionError: a stored value was tampered with, moved or its key destroyed
            (rendered as 409 `data_integrity_error` / `data_erased`, never a 500).
    """
    # The caller's own roles are on its principal already: no second query for them.
    own = ctx.access is not None and ctx.access.user_id == user.id
    roles = ctx.access.principal.roles if own and ctx.access is not None else None
    try:
        try:
            return await read_profile(session, ctx.app, user, roles=roles)
        except KeyDestroyed:
            # A data-key rotation may have committed between reading the row and its key.
            await session.refresh(user)
            return await read_profile(session, ctx.app, user, roles=roles)
    except DecryptionError as exc:
        log.warning("data_integrity_error", user_id=user.id, error_code=exc.code)
        await audit.record_separately(
            ctx.app.db,
            ctx,
            AuditAction.DATA_INTEGRITY_FAILED,
            target=Target(USER, user.id),
            details={"code": exc.code},
        )
        raise


def profile_read(profile: Profile) -> ProfileRead:
    """Return the API view of a decrypted profile."""
    return ProfileRead(
        id=profile.id,
        email=profile.email,
        full_name=profile.full_name,
        phone=profile.phone,
        address=profile.address,
        marketing_consent=profile.marketing_consent,
        email_verified=profile.email_verified,
    )


async def read_me(session: AsyncSession, ctx: Ctx) -> ProfileRead:
    """Return the caller's own profile."""
    user = await load_own_account(session, ctx)
    return profile_read(await decrypt_profile(session, ctx, user=user))


async def update_me(session: AsyncSession, ctx: Ctx, *, data: ProfileUpdate) -> ProfileRead:
    """Change the caller's name, phone, address or marketing consent; audit the changed names."""
    user = await load_own_account(session, ctx, lock=True)
    current = await decrypt_profile(session, ctx, user=user)
    wanted = data.changes()
    pii = {k: v for k, v in wanted.items() if k in PII_FIELDS and getattr(current, k) != v}
    changed = await update_pii(session, ctx.app, user, pii) if pii else []
    consent = wanted.get("marketing_consent")
    if consent is not None and consent != user.marketing_consent:
        user.marketing_consent = consent
        user.updated_at = utcnow()
        repository.add_consent_event(
            session, ConsentEvent(user_id=user.id, purpose=MARKETING, granted=consent)
        )
        changed.append("marketing_consent")
    if changed:
        await audit.record(
            session,
            ctx,
            AuditAction.PROFILE_UPDATED,
            target=Target(USER, user.id),
            details={"fields": sorted(changed)},
        )
    await session.flush()
    return profile_read(await decrypt_profile(session, ctx, user=user))


async def export_me(session: AsyncSession, ctx: Ctx) -> AccountExportRead:
    """Return every record of the caller and audit the export.

    The profile, then one section per entry of the personal-data registry
    (`App.personal_data`) that exports: sites and usage, quotes, sessions,
    consent history, and orders once that domain registers them.
    """
    user = await load_own_account(session, ctx)
    profile = await decrypt_profile(session, ctx, user=user)
    sections = {
        entry.export_as: await entry.export(session, ctx.app.vault, user.id)
        for entry in ctx.app.personal_data
        if entry.export is not None and entry.export_as is not None
    }
    export = AccountExportRead.model_validate(
        {"exported_at": utcnow(), "profile": profile_read(profile), **sections}
    )
    await audit.record(
        session,
        ctx,
        AuditAction.ACCOUNT_EXPORTED,
        target=Target(USER, user.id),
        details={key: len(getattr(export, key)) for key in ("sites", "quotes", "orders")},
    )
    return export
