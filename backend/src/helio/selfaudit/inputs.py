"""What one run of the self-audit reads: the settings, the app's parts, a base URL, paths."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

from helio.config import Settings
from helio.db import Database
from helio.platform.app import App
from helio.selfaudit.checks.paths import BACKEND_DIR


@dataclass(frozen=True)
class Inputs:
    """The evidence sources of one run; a source left out makes its checks `manual`.

    `http` is a client whose base URL is the deployment to probe (the operator names it;
    it is not user input, so it is not sent through the SSRF-safe outbound client, which
    refuses private addresses by design). `grants_db` is the database as the app's own
    user sees it (default: `app.db`), for `SHOW GRANTS`.
    """

    settings: Settings
    now: datetime
    app: App | None = None
    grants_db: Database | None = None
    http: httpx.AsyncClient | None = None
    deploy_dir: Path | None = None
    checkov: str | None = None
    osv_dir: Path | None = None
    backend_dir: Path = BACKEND_DIR

    @property
    def production(self) -> bool:
        """Whether the audited deployment runs in production."""
        return self.settings.is_production
