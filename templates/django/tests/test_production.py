"""The production settings, loaded as a server loads them: in a fresh interpreter.

The rest of the suite runs on config.settings.dev; these tests start subprocesses with
config.settings.production so HTTPS redirects, ALLOWED_HOSTS and the SECRET_KEY rule are real.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent

# Requests through Django's test client inside the production process; prints status codes.
PROBE = """
import json
import django
from django.test import Client

django.setup()
client = Client()
results = {
    "healthz by IP": client.get("/healthz", HTTP_HOST="10.0.0.7:8000"),
    "readyz by IP": client.get("/readyz", HTTP_HOST="10.0.0.7:8000"),
    "index by IP": client.get("/", HTTP_HOST="10.0.0.7:8000"),
    "index over http": client.get("/", HTTP_HOST="app.example.com"),
    "index over https": client.get("/", HTTP_HOST="app.example.com", secure=True),
}
print(json.dumps({name: response.status_code for name, response in results.items()}))
"""


def run_production(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `python *args` in the project with the production settings and a real-looking key."""
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "app.example.com",
        "SECURE_SSL_REDIRECT": "true",
        "DATABASE_PATH": str(tmp_path / "db.sqlite3"),
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


def test_deploy_check_passes(tmp_path: Path) -> None:
    result = run_production(tmp_path, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr


def test_health_paths_answer_probes_by_ip_despite_https_redirect(tmp_path: Path) -> None:
    result = run_production(tmp_path, "-c", PROBE)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "healthz by IP": 200,
        "readyz by IP": 200,
        # The same request to any other path is refused or redirected: the guards are on.
        "index by IP": 400,
        "index over http": 301,
        "index over https": 200,
    }


def test_missing_secret_key_stops_with_one_line(tmp_path: Path) -> None:
    result = run_production(tmp_path, "manage.py", "check", SECRET_KEY="")
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert "SECRET_KEY" in result.stderr
