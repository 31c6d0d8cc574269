"""The production server as the Dockerfile runs it: gunicorn with gunicorn.conf.py."""

import runpy
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from .server import PROJECT_ROOT, gunicorn_command, running_server, server_env


def test_serves_the_app_and_exits_0_soon_after_sigterm(tmp_path: Path) -> None:
    with running_server(server_env(), tmp_path / "server.log") as server:
        with urllib.request.urlopen(f"{server.url}/") as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "application/json"
        started = time.monotonic()
        assert server.stop() == 0
        # Idle, it exits at once: nowhere near graceful_timeout (8 s), which a stuck worker uses up.
        assert time.monotonic() - started < 6


def test_refuses_to_start_without_secret_key() -> None:
    env = server_env()
    del env["SECRET_KEY"]
    result = subprocess.run(
        gunicorn_command(), cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode != 0
    # One readable line, not a traceback or a loop of crashing workers.
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if "SECRET_KEY" in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: SECRET_KEY")


def test_settings_follow_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOST", "127.0.0.1")
    monkeypatch.setenv("PORT", "9123")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    settings = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    assert settings["bind"] == "127.0.0.1:9123"
    assert settings["workers"] == 3
    # Shutdown must finish before `docker stop` (10 s) resorts to SIGKILL.
    assert settings["graceful_timeout"] < 10


def test_listens_on_all_interfaces_port_8000_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    settings = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    assert settings["bind"] == "0.0.0.0:8000"
