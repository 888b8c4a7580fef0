"""The daily job: gather the evidence, run every check, store the report (alerts follow)."""

from __future__ import annotations

from pathlib import Path

import httpx

from helio.kit.clock import utcnow
from helio.platform.app import App
from helio.platform.context import Ctx
from helio.selfaudit import service
from helio.selfaudit.checks.deploy import find_checkov
from helio.selfaudit.checks.paths import REPO_DIR, default_deploy_dir, default_osv_dir
from helio.selfaudit.inputs import Inputs
from helio.selfaudit.runner import Report, run_checks
from helio.selfaudit.schemas import SelfAuditReportRead

HTTP_TIMEOUT = httpx.Timeout(10.0)


def default_base_url(app: App) -> str | None:
    """HELIO_SELF_AUDIT_BASE_URL, else the public origin users reach."""
    return app.settings.self_audit_base_url or app.settings.public_url or None


async def run_report(
    app: App,
    *,
    base_url: str | None,
    deploy_dir: Path | None = None,
    osv_dir: Path | None = None,
    checkov: str | None = None,
) -> Report:
    """Run every check against this app's database, Redis and settings, and a base URL."""
    client = (
        httpx.AsyncClient(base_url=base_url, timeout=HTTP_TIMEOUT, follow_redirects=False)
        if base_url
        else None
    )
    try:
        inputs = Inputs(
            settings=app.settings,
            now=utcnow(),
            app=app,
            http=client,
            deploy_dir=deploy_dir,
            checkov=checkov,
            osv_dir=osv_dir,
        )
        return await run_checks(inputs)
    finally:
        if client is not None:
            await client.aclose()


async def store_report(app: App, report: Report) -> SelfAuditReportRead:
    """Store a report; checks that regressed to fail are audited, which raises their alert."""
    async with app.db.transaction() as session:
        return await service.store(session, Ctx.system(app), report=report)


async def daily_self_audit(app: App) -> SelfAuditReportRead:
    """The scheduled job: run the report with the deployment's defaults and store it."""
    report = await run_report(
        app,
        base_url=default_base_url(app),
        deploy_dir=default_deploy_dir(),
        osv_dir=default_osv_dir(),
        checkov=find_checkov(REPO_DIR),
    )
    return await store_report(app, report)
