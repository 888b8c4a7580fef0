"""MariaDB killed (SIGKILL) and restarted under write load.

A customer creates and deletes sites in a loop while the database is killed and started
again on the same data directory. Afterwards every create the API acknowledged (201) and
did not later acknowledge deleting is present, and every acknowledged delete is gone.
While the database is down the API answers 503 with Retry-After — never a 500, never a
request that outlives the client's bound — and it is ready again within 5 s of the
database accepting connections.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.factories.sites import site_body
from tests.faults.servers import customer_login, stack

pytestmark = pytest.mark.fault
SITES = "/api/v1/sites"
# A request that takes longer than this counts as a hang (the client gives up and fails the test).
BOUND = httpx.Timeout(8.0)


class Load:
    """Writes of one customer, with what the API acknowledged."""

    def __init__(self, http: httpx.Client, bearer: dict[str, str]) -> None:
        self.http = http
        self.bearer = bearer
        self.live: list[str] = []  # acknowledged creates not (acknowledged) deleted
        self.deleted: list[str] = []  # acknowledged deletes
        self.statuses: dict[int, int] = {}
        self.unavailable = 0
        self.sequence = 0
        self.acknowledged = 0  # 201s and 204s

    def _count(self, response: httpx.Response) -> None:
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        assert response.status_code in {201, 204, 503}, (response.status_code, response.text)
        if response.status_code in {201, 204}:
            self.acknowledged += 1
        if response.status_code == 503:
            assert response.headers["Retry-After"].isdigit()
            assert response.json()["error"]["code"] == "unavailable"
            self.unavailable += 1

    def step(self) -> None:
        """Create one site; once two are live, delete the oldest."""
        self.sequence += 1
        created = self.http.post(
            SITES, json=site_body(label=f"load {self.sequence}"), headers=self.bearer
        )
        self._count(created)
        if created.status_code == 201:
            self.live.append(created.json()["id"])
        if len(self.live) > 2:
            oldest = self.live[0]
            gone = self.http.delete(f"{SITES}/{oldest}", headers=self.bearer)
            self._count(gone)
            if gone.status_code == 204:
                self.live.remove(oldest)
                self.deleted.append(oldest)
            else:  # unknown outcome: neither promised present nor absent
                self.live.remove(oldest)

    def run_for(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.step()
            time.sleep(0.05)


@pytest.mark.asvs("V16.5.2", "V16.5.3")
def test_killed_database_loses_no_acknowledged_write_and_answers_503(tmp_path: Path) -> None:
    with (
        stack(tmp_path) as (_redis, maria, api),
        httpx.Client(base_url=api.base_url, timeout=BOUND) as http,
    ):
        grant = customer_login(http, api)
        assert grant.status_code == 200, grant.text
        load = Load(http, {"Authorization": f"Bearer {grant.json()['access_token']}"})

        load.run_for(3)
        assert load.acknowledged > 0

        maria.kill()
        load.run_for(4)
        assert load.unavailable > 0
        ready = http.get("/readyz")
        assert ready.status_code == 503
        assert http.get("/healthz").status_code == 200

        maria.start()  # crash recovery on the same data directory; returns once it listens
        started = time.monotonic()
        while http.get("/readyz").status_code != 200:
            assert time.monotonic() - started < 5, "not ready within 5 s of the database"
            time.sleep(0.1)

        writes_after = load.acknowledged
        load.run_for(3)
        assert load.acknowledged > writes_after, load.statuses

        for site_id in load.live:
            kept = http.get(f"{SITES}/{site_id}", headers=load.bearer)
            assert kept.status_code == 200, (site_id, kept.text)
        for site_id in load.deleted:
            assert http.get(f"{SITES}/{site_id}", headers=load.bearer).status_code == 404
