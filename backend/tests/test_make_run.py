"""`make run` and the CI smoke script, run for real on free ports.

A taken port (the API's or the mail sink's) stops `make run` with one clear
message before anything is served; the smoke script stops only what it started.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx

from tests.fixtures.live_server import (
    ROOT,
    VENV_BIN,
    clean_env,
    free_port,
    listening,
    run_group,
    start_group,
    stop_group,
    taken_port,
    wait_healthy,
)


def make_run(
    data_dir: Path, *, api_port: int, sink_port: int, **web_ports: str
) -> subprocess.CompletedProcess[str]:
    # Free web ports unless the test names them: 3000 and 3001 may be taken on this machine.
    web = {"HELIO_WEB_PORTAL_PORT": str(free_port()), "HELIO_WEB_CONSOLE_PORT": str(free_port())}
    env = clean_env(
        HELIO_DATA_DIR=str(data_dir),
        HELIO_PORT=str(api_port),
        HELIO_MAIL_SINK_PORT=str(sink_port),
        **(web | web_ports),
    )
    return run_group(["make", "--no-print-directory", "run"], env=env)


def _refused_before_serving(result: subprocess.CompletedProcess[str], port: int) -> str:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output
    assert "Uvicorn running" not in output
    assert "Application startup" not in output
    assert "demo accounts" not in output  # stopped before any data was created
    [line] = [text for text in output.splitlines() if f"127.0.0.1:{port}" in text]
    return line


def test_a_taken_api_port_stops_make_run_with_a_clear_message(tmp_path: Path) -> None:
    sink_port = free_port()
    with taken_port() as api_port:
        result = make_run(tmp_path, api_port=api_port, sink_port=sink_port)
    line = _refused_before_serving(result, api_port)
    assert "HELIO_PORT" in line
    assert "in use" in line
    assert not listening(sink_port)


def test_a_taken_mail_sink_port_stops_make_run_before_the_api_starts(tmp_path: Path) -> None:
    api_port = free_port()
    with taken_port() as sink_port:
        result = make_run(tmp_path, api_port=api_port, sink_port=sink_port)
    line = _refused_before_serving(result, sink_port)
    assert "HELIO_MAIL_SINK_PORT" in line
    assert "in use" in line
    assert not listening(api_port)


def test_a_taken_portal_port_stops_make_run_before_the_api_starts(tmp_path: Path) -> None:
    api_port, sink_port, console_port = free_port(), free_port(), free_port()
    with taken_port() as portal_port:
        result = make_run(
            tmp_path,
            api_port=api_port,
            sink_port=sink_port,
            HELIO_WEB_PORTAL_PORT=str(portal_port),
            HELIO_WEB_CONSOLE_PORT=str(console_port),
        )
    line = _refused_before_serving(result, portal_port)
    assert "HELIO_WEB_PORTAL_PORT" in line
    assert "customer portal" in line
    assert "in use" in line
    for port in (api_port, sink_port, console_port):
        assert not listening(port)


def test_serve_refuses_a_taken_sink_port_without_serving(tmp_path: Path) -> None:
    """The race after the pre-flight check: the sink starts first and its failure is final."""
    api_port = free_port()
    with taken_port() as sink_port:
        env = clean_env(
            HELIO_DATA_DIR=str(tmp_path),
            HELIO_PORT=str(api_port),
            HELIO_MAIL_SINK_PORT=str(sink_port),
        )
        result = run_group([str(VENV_BIN / "helio"), "serve", "--mail-sink"], env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    assert "Uvicorn running" not in output
    assert f"127.0.0.1:{sink_port}" in output
    assert "HELIO_MAIL_SINK_PORT" in output


def test_the_smoke_script_stops_only_what_it_started(tmp_path: Path) -> None:
    """Another `helio serve` on the machine outlives the CI smoke test."""
    port = free_port()
    env = clean_env(HELIO_DATA_DIR=str(tmp_path / "other"), HELIO_PORT=str(port))
    other = start_group([str(VENV_BIN / "helio"), "serve"], env=env, log=tmp_path / "other.log")
    try:
        wait_healthy(f"http://127.0.0.1:{port}", other)
        smoke = run_group(["bash", str(ROOT / ".ci" / "smoke-run.sh")], env=clean_env())
        assert smoke.returncode == 0, smoke.stdout + smoke.stderr
        assert "second run kept the data" in smoke.stdout
        assert other.poll() is None, "the smoke script ended a server it did not start"
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
    finally:
        stop_group(other)
