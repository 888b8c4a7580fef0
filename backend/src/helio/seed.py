"""First-run data: the first admin and the demo accounts."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from helio.auth.accounts import profiles as accounts
from helio.auth.login.passwords import hash_password
from helio.authz.matrix import Role
from helio.config import Settings
from helio.errors import Conflict
from helio.kit.clock import utcnow
from helio.main import build_app

DEMO_ACCOUNTS: tuple[tuple[str, str, str, tuple[Role, ...]], ...] = (
    ("customer", "demo.customer@helio.localhost", "Dana Customer", ()),
    ("staff", "demo.support@helio.localhost", "Sam Support", (Role.SUPPORT,)),
    ("staff", "demo.sales@helio.localhost", "Sasha Sales", (Role.SALES,)),
    ("staff", "demo.engineer@helio.localhost", "Eli Engineer", (Role.ENGINEER,)),
    ("staff", "demo.admin@helio.localhost", "Ada Admin", (Role.ADMIN,)),
)


async def create_staff(
    settings: Settings, *, email: str, full_name: str, password: str, roles: Sequence[str]
) -> str:
    """Create a verified staff account (MFA enrolment is forced at first sign-in)."""
    from helio.auth.login.password_policy import check_password

    check_password(password, email=email, name=full_name)
    app = build_app(settings)
    try:
        async with app.db.transaction() as session:
            if await accounts.find_by_email(session, app, email) is not None:
                raise Conflict("An account with this email exists already.")
            user = await accounts.create_account(
                session,
                app,
                kind="staff",
                email=email,
                full_name=full_name,
                password_hash=await hash_password(password),
                roles=[Role(r) for r in roles],
            )
            user.email_verified_at = utcnow()
            return user.id
    finally:
        await app.close()


async def seed_demo(settings: Settings) -> list[tuple[str, str, str]]:
    """Create the demo accounts unless present; return (email, roles, password) of new ones."""
    app = build_app(settings)
    created: list[tuple[str, str, str]] = []
    try:
        async with app.db.transaction() as session:
            for kind, email, name, roles in DEMO_ACCOUNTS:
                if await accounts.find_by_email(session, app, email) is not None:
                    continue
                password = secrets.token_urlsafe(15)
                user = await accounts.create_account(
                    session,
                    app,
                    kind=kind,
                    email=email,
                    full_name=name,
                    password_hash=await hash_password(password),
                    roles=roles,
                )
                user.email_verified_at = utcnow()
                created.append((email, ",".join(roles) or "customer", password))
    finally:
        await app.close()
    return created
