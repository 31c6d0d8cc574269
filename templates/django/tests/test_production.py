"""The production settings, loaded as a server loads them: in a fresh interpreter.

The rest of the suite runs on config.settings.dev; these tests start subprocesses with
config.settings.production so HTTPS redirects, ALLOWED_HOSTS and the deploy checks are real.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent

# Requests through Django's test client inside the production process. Prints the log lines
# the requests caused, then one line of results: status codes, and the unknown host's answer.
PROBE = """
import json
import django
from django.test import Client

django.setup()
client = Client()
results = {
    "healthz by IP": client.get("/healthz", HTTP_HOST="10.0.0.7:8000"),
    "readyz by IP": client.get("/readyz", HTTP_HOST="10.0.0.7:8000"),
    "metrics by IP": client.get("/metrics", HTTP_HOST="10.0.0.7:8000"),
    "index by IP": client.get("/", HTTP_HOST="10.0.0.7:8000"),
    "index over http": client.get("/", HTTP_HOST="app.example.com"),
    "index over https": client.get("/", HTTP_HOST="app.example.com", secure=True),
}
print("LOG-END")
unknown = client.get("/", HTTP_HOST="evil.example", secure=True, headers={"X-Request-ID": "host-1"})
statuses = {name: response.status_code for name, response in results.items()}
print(json.dumps({"statuses": statuses, "unknown host": [unknown.status_code, unknown.json()]}))
"""


def run_production(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `python *args` in the project with the production settings and a real-looking key."""
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "app.example.com",
        "SECURE_SSL_REDIRECT": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env,
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_DIR,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_a_database_server(tmp_path: Path) -> None:
    result = run_production(
        tmp_path,
        *("manage.py", "check", "--deploy", "--fail-level", "WARNING"),
        DATABASE_URL="postgres://app:secret@db.example.com:5432/app",
    )
    assert result.returncode == 0, result.stderr


def test_deploy_check_warns_about_sqlite(tmp_path: Path) -> None:
    result = run_production(tmp_path, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 1
    assert ".W001) DATABASE_URL is not set" in result.stderr


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """PROBE's results, and the log records of its unknown-host request."""
    result = run_production(tmp_path_factory.mktemp("probe"), "-c", PROBE)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.strip().splitlines()
    records = [json.loads(line) for line in lines[lines.index("LOG-END") + 1 : -1]]
    return json.loads(lines[-1]), records


def test_probes_by_ip_pass_the_https_redirect_and_host_checks(
    probed: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    assert probed[0]["statuses"] == {
        "healthz by IP": 200,
        "readyz by IP": 200,
        "metrics by IP": 200,
        # The same request to any other path is refused or redirected: the guards are on.
        "index by IP": 400,
        "index over http": 301,
        "index over https": 200,
    }


def test_an_unknown_host_is_one_warning_line_and_a_json_400(
    probed: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    results, records = probed
    assert results["unknown host"] == [400, {"error": "Bad Request", "request_id": "host-1"}]
    problems = [record for record in records if record["level"] != "INFO"]
    assert [(r["level"], r["logger"], r["request_id"]) for r in problems] == [
        ("WARNING", "django.security.DisallowedHost", "host-1")
    ]
    assert "exc_info" not in problems[0]
    assert [(r["logger"], r["status"]) for r in records if r["level"] == "INFO"] == [
        ("access", 400)
    ]
