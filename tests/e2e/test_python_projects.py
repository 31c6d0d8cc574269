"""Generated Flask and Django projects, run the way their users run them.

One module-scoped project per variant: `stackpick new` renders it, `make install` installs it with
uv from its lock, then each test checks one promise: lint, its own tests, the production server
(probes, request ids in the JSON log, metrics summed over workers, security headers, JSON errors,
WebSockets, /compute, the admin, draining on SIGTERM), the image's start command, `make bench`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser
from prometheus_client.parser import text_string_to_metric_families

from stackpick.cli import main
from tests.support import VENV_BIN, Response, Server, free_port, get, leftover_jinja, run, serve, terminate_server, tool

pytestmark = pytest.mark.e2e

SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Case:
    id: str
    stack: str
    name: str
    answers: dict[str, str] = field(default_factory=dict)
    # Install with no uv on PATH: `make install` must fetch its pinned uv by itself.
    bootstrap_uv: bool = False

    @property
    def slug(self) -> str:
        return SLUG.sub("_", self.name.lower()).strip("_")

    @property
    def realtime(self) -> bool:
        return self.answers.get("app_type") in {"realtime", "streaming", "iot"}

    @property
    def cpu_heavy(self) -> bool:
        return self.answers.get("cpu_heavy") == "true"

    @property
    def admin(self) -> bool:
        return self.stack == "django" and self.answers.get("needs_admin") == "true"


# Project names sort before and after the lock's other packages and Django's `config`
# package, so a templated name that upset uv.lock or import order would show.
CASES = [
    Case("flask-rest-api-low", "flask", "Aardvark Orders", {"app_type": "rest_api", "concurrency": "low"},
         bootstrap_uv=True),
    Case("flask-realtime-high", "flask", "Zeta Chat", {"app_type": "realtime", "concurrency": "high"}),
    Case("flask-cpu-heavy-medium", "flask", "Number Cruncher",
         {"app_type": "data_ml", "cpu_heavy": "true", "concurrency": "medium", "ml_libraries": "true"}),
    Case("django-rest-api", "django", "Basic Api", {"app_type": "rest_api"}),
    Case("django-cms-admin-large", "django", "Zoo Admin",
         {"app_type": "cms", "needs_admin": "true", "project_size": "large", "concurrency": "medium"}),
    Case("django-realtime-high", "django", "Iot Hub", {"app_type": "iot", "concurrency": "high"}),
    Case("django-cpu-heavy", "django", "Report Builder", {"app_type": "business", "cpu_heavy": "true"}),
]


@dataclass
class Project:
    case: Case
    path: Path
    path_env: str

    def env(self, **extra: str) -> dict[str, str]:
        return {"PATH": self.path_env, **extra}

    def make(self, target: str, timeout: float = 900, **extra: str) -> str:
        result = run(["make", target], cwd=self.path, env=self.env(**extra), timeout=timeout)
        return result.stdout + result.stderr


def _path_without_uv() -> str:
    return os.pathsep.join(d for d in os.environ["PATH"].split(os.pathsep) if not (Path(d) / "uv").exists())


@pytest.fixture(scope="module", params=CASES, ids=[c.id for c in CASES])
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Project:
    case: Case = request.param
    dest = tmp_path_factory.mktemp(case.id) / case.slug.replace("_", "-")
    argv = ["new", str(dest), "--defaults", "--no-git", "--stack", case.stack, "--data", f"project_name={case.name}"]
    for key, value in case.answers.items():
        argv += ["--data", f"{key}={value}"]
    assert main(argv) == 0
    # uv from this test environment (pinned like the projects' own), unless the case bootstraps.
    path_env = _path_without_uv() if case.bootstrap_uv else os.pathsep.join([str(VENV_BIN), os.environ["PATH"]])
    generated = Project(case, dest, path_env)
    rendered_lock = (dest / "uv.lock").read_text()
    generated.make("install")
    assert (dest / "uv.lock").read_text() == rendered_lock, "make install must not rewrite the lock"
    return generated


def test_nothing_left_unrendered(project: Project) -> None:
    assert leftover_jinja(project.path) == []


def test_the_lock_matches_and_install_used_it(project: Project) -> None:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    uv = cache / "stackpick" / "uv-0.13.9" / "bin" / "uv" if project.case.bootstrap_uv else Path(tool("uv"))
    assert uv.exists(), f"make install should have fetched uv into {uv.parent.parent}"
    assert f'name = "{project.case.slug.replace("_", "-")}"' in (project.path / "uv.lock").read_text()
    run([str(uv), "lock", "--check", "--offline"], cwd=project.path)
    freeze = run([str(uv), "pip", "freeze", "--python", str(project.path / ".venv" / "bin" / "python")],
                 cwd=project.path).stdout
    server = "gunicorn" if project.case.stack == "flask" and project.case.realtime else "granian"
    assert re.search(rf"^{server}==", freeze, re.MULTILINE), freeze
    assert re.search(r"^pytest==", freeze, re.MULTILINE)  # the dev group too


def test_a_stale_lock_fails_install_loudly(tmp_path: Path) -> None:
    """A dependency added without `uv lock` stops `make install` before it installs anything."""
    dest = tmp_path / "stale"
    assert main(["new", str(dest), "--defaults", "--no-git", "--stack", "flask", "--data", "project_name=Stale"]) == 0
    pyproject = dest / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"flask>=3.1.3,<4",', '"flask>=3.1.3,<4",\n    "idna",'))
    env = {**os.environ, "PATH": os.pathsep.join([str(VENV_BIN), os.environ["PATH"]])}
    result = subprocess.run(["make", "install"], cwd=dest, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "The lockfile at `uv.lock` needs to be updated, but `--locked` was provided" in result.stderr
    assert not (dest / ".venv" / "bin" / "flask").exists() and not (dest / ".env").exists()


def test_lint_passes(project: Project) -> None:
    output = project.make("lint")
    assert "mypy ." in output and "Success: no issues found" in output


def test_own_tests_pass(project: Project) -> None:
    output = project.make("test")
    assert re.search(r"\d+ passed", output) and " failed" not in output, output[-3000:]
    if project.case.stack == "django":
        assert "No changes detected" in output  # makemigrations --check --dry-run
        assert "no issues" in project.make("deploy-check").lower()


def _metric_total(body: bytes, route: str) -> float:
    return sum(sample.value for family in text_string_to_metric_families(body.decode())
               for sample in family.samples
               if sample.name == "http_requests_total"
               and sample.labels == {"method": "GET", "route": route, "status": "200"})


def _json_lines(server: Server) -> list[dict[str, object]]:
    lines = server.log.read_text(errors="replace").splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def test_make_serve_keeps_the_contract(project: Project) -> None:
    port = free_port()
    env = project.env(HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY="2")
    with serve(["make", "serve"], project.path, env, port) as server:
        base = server.base
        hello = get(base + "/")
        assert hello.status == 200, server.output()
        assert hello.json() == {"message": f"Hello from {project.case.name}!"}
        assert (get(base + "/healthz").status, get(base + "/healthz").json()) == (200, {"status": "ok"})
        assert get(base + "/readyz").json() == {"status": "ready"}
        _check_security_headers(project, hello)

        # N requests spread over both workers are counted N times in /metrics. Which worker accepts
        # a connection is the kernel's pick (one gthread worker's 256 threads can take them all), so
        # batches go out until both workers have answered, at most 20 of them.
        before = _metric_total(get(base + "/metrics").body, "/")
        sent = 0
        for _ in range(20):
            with ThreadPoolExecutor(max_workers=8) as pool:
                assert set(pool.map(lambda _: get(base + "/").status, range(30))) == {200}
            sent += 30
            if len({line["process"] for line in _json_lines(server) if line.get("path") == "/"}) == 2:
                break
        assert len({line["process"] for line in _json_lines(server) if line.get("path") == "/"}) == 2, sent
        metrics = get(base + "/metrics")
        assert metrics.status == 200 and header(metrics, "Content-Type").startswith("text/plain")
        assert _metric_total(metrics.body, "/") == before + sent

        # The caller's request id comes back and is logged once, with status and duration.
        traced = get(base + "/no-such-page", headers={"X-Request-ID": "e2e-trace.1"})
        assert (traced.status, header(traced, "X-Request-ID")) == (404, "e2e-trace.1")
        assert header(traced, "Content-Type") == "application/json"
        assert traced.json() == {"error": "Not Found", "request_id": "e2e-trace.1"}
        time.sleep(0.3)
        logged = [line for line in _json_lines(server) if line.get("request_id") == "e2e-trace.1"]
        assert len(logged) == 1, logged
        assert (logged[0]["method"], logged[0]["path"], logged[0]["status"]) == ("GET", "/no-such-page", 404)
        assert isinstance(logged[0]["duration_ms"], float) and {"time", "level"} <= logged[0].keys()
        assert len(header(get(base + "/", headers={"X-Request-ID": "bad id!"}), "X-Request-ID")) == 32

        if project.case.realtime:
            _check_websocket_echo(f"ws://127.0.0.1:{port}/ws")
        if project.case.admin:
            assert get(base + "/admin/login/").status == 200
        in_flight: list[Response] = []
        if project.case.cpu_heavy:
            computed = get(base + "/compute?n=20")
            assert (computed.status, computed.json()) == (200, {"n": 20, "result": 6765})
            assert get(base + "/compute?n=99").status == 400
            # A computation in flight when SIGTERM arrives still gets its answer.
            worker = threading.Thread(target=lambda: in_flight.append(get(base + "/compute?n=29", timeout=30)))
            worker.start()
            time.sleep(0.5)
        elapsed = terminate_server(server)
        if project.case.cpu_heavy:
            worker.join(30)
            assert [(r.status, r.json()) for r in in_flight] == [(200, {"n": 29, "result": 514229})]
        assert server.process.returncode == 0, server.output()
        assert elapsed < 10, f"took {elapsed:.1f}s to stop"


def header(response: Response, name: str) -> str:
    """A response header by its case-insensitive name (Granian sends them in lower case)."""
    return {key.lower(): value for key, value in response.headers.items()}[name.lower()]


def _check_security_headers(project: Project, response: Response) -> None:
    assert header(response, "X-Content-Type-Options") == "nosniff"
    assert header(response, "X-Frame-Options") == "DENY"
    referrer = "no-referrer" if project.case.stack == "flask" else "same-origin"
    assert header(response, "Referrer-Policy") == referrer
    if project.case.stack == "flask":
        assert header(response, "Content-Security-Policy") == "default-src 'none'; frame-ancestors 'none'"


def _check_websocket_echo(url: str) -> None:
    from websockets.sync.client import connect

    with connect(url, open_timeout=10) as ws:
        for message in ("hello", "second message"):
            ws.send(message)
            assert ws.recv(timeout=10) == message


def test_dockerfile_is_production_shaped(project: Project) -> None:
    result = run([tool("hadolint"), "Dockerfile"], cwd=project.path)
    assert result.stdout.strip() == ""
    dockerfile = DockerfileParser(path=str(project.path / "Dockerfile"))
    instructions = dockerfile.structure
    froms = [i["value"].split()[0] for i in instructions if i["instruction"] == "FROM"]
    assert froms == ["python:3.13-slim-trixie", "python:3.13-slim-trixie"]
    runs = " ".join(i["value"] for i in instructions if i["instruction"] == "RUN")
    assert "uv sync --locked --no-dev" in runs
    assert [i["value"] for i in instructions if i["instruction"] == "USER"] == ["10001:10001"]
    assert json.loads(dockerfile.cmd) == ["python", "serve.py"]
    ignored = (project.path / ".dockerignore").read_text().split()
    assert {".env", ".git/", ".venv/"} <= set(ignored)


def test_the_image_command_runs_outside_docker(project: Project) -> None:
    dockerfile = DockerfileParser(path=str(project.path / "Dockerfile"))
    cmd = json.loads(dockerfile.cmd)
    port = free_port()
    path = os.pathsep.join([str(project.path / ".venv" / "bin"), os.environ["PATH"]])
    env = {**dockerfile.envs, "HOST": "127.0.0.1", "PORT": str(port), "PATH": path}
    # In a container there is no .env: without its secret the app refuses to start, in one line.
    with serve(cmd, project.path, env, port, wait=False) as server:
        assert server.process.wait(timeout=60) == 1, server.output()
        assert server.output().strip().splitlines()[-1].startswith("error: SECRET_KEY is not set"), server.output()
    env |= {"SECRET_KEY": "e2e-" + "x" * 60, "ALLOWED_HOSTS": "service.example.com"}
    if project.case.stack == "django":
        env["DATABASE_URL"] = f"sqlite:///{project.path / 'data' / 'image.sqlite3'}"
    with serve(cmd, project.path, env, port) as server:
        assert get(server.base + "/healthz").status == 200, server.output()
        assert get(server.base + "/readyz").status == 200, server.output()
        if project.case.stack == "django":  # ...while everything else keeps the production checks
            assert get(server.base + "/").status in (301, 400)
        terminate_server(server)
        assert server.process.returncode == 0, server.output()


def test_make_bench_prints_throughput_and_p99(project: Project) -> None:
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (.ci/run installs it)")
    output = project.make("bench", timeout=180, BENCH_SECONDS="1")
    assert re.search(r"requests/s: [\d.]+", output), output
    assert re.search(r"p99: [\d.]+ ?(ms|us|s)", output), output
