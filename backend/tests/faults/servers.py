"""Private servers for fault tests: Redis, MariaDB and the API, each on its own free port.

Every server runs in a process group of its own, so a test can kill it (SIGKILL or SIGTERM)
and start it again on the same port and data directory without touching the machine's
shared servers.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests import conftest
from tests.fixtures.live_server import (
    BACKEND,
    VENV_BIN,
    clean_env,
    free_port,
    listening,
    start_group,
    stop_group,
    wait_healthy,
)


def need(*programs: str) -> None:
    """Skip unless every program is installed; under CI=true a missing one fails the test."""
    missing = [name for name in programs if shutil.which(name) is None]
    if missing:
        reason = f"fault tests need {', '.join(missing)} installed"
        if conftest.CI:
            pytest.fail(reason)
        pytest.skip(reason)


def wait_listening(port: int, process: subprocess.Popen[bytes], within: float = 30) -> None:
    """Wait until something accepts connections on the port; fail early if the process ended."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode} before listening")
        if listening(port):
            return
        time.sleep(0.1)
    raise AssertionError(f"nothing listened on {port} within {within} s")


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL a server's whole process group and reap it (a crash, not a shutdown)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@dataclass
class Redis:
    """A private redis-server without persistence."""

    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port),
                   "--save", "", "--appendonly", "no", "--dir", str(self.workdir)]  # fmt: skip
        self.process = start_group(command, env=clean_env(), log=self.workdir / "redis.log")
        wait_listening(self.port, self.process)

    def kill(self) -> None:
        if self.process is not None:
            kill_group(self.process)


@dataclass
class MariaDB:
    """A private mariadbd with its own data directory; root signs in without a password."""

    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def datadir(self) -> Path:
        return self.workdir / "mariadb"

    @property
    def url(self) -> str:
        return f"mysql+asyncmy://root@127.0.0.1:{self.port}/helio"

    def install(self) -> None:
        self.datadir.mkdir()
        subprocess.run(
            [
                "mariadb-install-db",
                "--no-defaults",
                f"--datadir={self.datadir}",
                "--user=root",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        command = ["mariadbd", "--no-defaults", f"--datadir={self.datadir}", "--user=root",
                   "--bind-address=127.0.0.1", f"--port={self.port}",
                   f"--socket={self.workdir / 'mariadb.sock'}",
                   f"--pid-file={self.workdir / 'mariadb.pid'}",
                   "--skip-name-resolve", "--innodb-buffer-pool-size=32M",
                   "--innodb-log-file-size=16M"]  # fmt: skip
        self.process = start_group(command, env=clean_env(), log=self.workdir / "mariadb.log")
        wait_listening(self.port, self.process, within=45)

    def create_database(self) -> None:
        subprocess.run(
            [
                "mariadb",
                "--no-defaults",
                "-h127.0.0.1",
                f"-P{self.port}",
                "-uroot",
                "-e",
                "CREATE DATABASE helio CHARACTER SET utf8mb4",
            ],
            check=True,
            capture_output=True,
            timeout=30,
        )

    def kill(self) -> None:
        if self.process is not None:
            kill_group(self.process)


@dataclass
class Api:
    """`helio` against the private servers: migrated, seeded with demo data, then served."""

    workdir: Path
    database_url: str
    redis_url: str
    port: int = field(default_factory=free_port)
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    process: subprocess.Popen[bytes] | None = None
    demo_passwords: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    smtp_url: str = ""

    def env(self, **more: str) -> dict[str, str]:
        extra = {"HELIO_SMTP_URL": self.smtp_url} if self.smtp_url else {}
        extra.update(more)
        return clean_env(
            HELIO_ENV="test",
            HELIO_DATA_DIR=str(self.workdir / "data"),
            HELIO_DATABASE_URL=self.database_url,
            HELIO_REDIS_URL=self.redis_url,
            HELIO_PUBLIC_URL=self.base_url,
            HELIO_SECRET_KEY=self.secret_key,
            **extra,
        )

    def helio(self, *args: str) -> str:
        done = subprocess.run(
            [str(VENV_BIN / "helio"), *args],
            cwd=BACKEND,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def prepare(self) -> None:
        (self.workdir / "data").mkdir(exist_ok=True)
        self.helio("migrate")
        for line in self.helio("seed-demo").splitlines():
            found = re.match(r"\s+(\S+@\S+)\s+\S+\s+(\S+)$", line)
            if found:
                self.demo_passwords[found[1]] = found[2]

    def start(self) -> None:
        command = [sys.executable, "-m", "uvicorn", "helio.main:create_app", "--factory",
                   "--host", "127.0.0.1", "--port", str(self.port),
                   "--log-level", "warning"]  # fmt: skip
        self.process = start_group(command, env=self.env(), log=self.workdir / "api.log")
        wait_healthy(self.base_url, self.process)

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process)


@contextmanager
def stack(workdir: Path, *, smtp_url: str = "") -> Iterator[tuple[Redis, MariaDB, Api]]:
    """Start Redis, MariaDB and the API (migrated, demo data); stop them all afterwards."""
    need("redis-server", "mariadbd", "mariadb-install-db", "mariadb")
    redis = Redis(workdir)
    maria = MariaDB(workdir)
    api = Api(workdir, database_url=maria.url, redis_url=redis.url, smtp_url=smtp_url)
    try:
        redis.start()
        maria.install()
        maria.start()
        maria.create_database()
        api.prepare()
        api.start()
        yield redis, maria, api
    finally:
        api.stop()
        maria.kill()
        redis.kill()


def customer_login(http: httpx.Client, api: Api) -> httpx.Response:
    """Sign the demo customer in (JSON password sign-in, as the web app does)."""
    email = "demo.customer@helio.localhost"
    body = {"email": email, "password": api.demo_passwords[email]}
    return http.post("/api/v1/auth/token", json={"grant_type": "password", **body})
