"""Generated projects, tested the way their users run them: install, lint, test, serve, probe, stop.

One module-scoped project per case: `stackpick new` renders it, `make install` installs it, then each
test below exercises one promise of the template contract (docs/template-contract.md).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from dockerfile_parse import DockerfileParser

from stackpick.cli import main
from tests.support import free_port, get, leftover_jinja, run, serve, terminate_server, tool

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Case:
    id: str
    stack: str
    answers: dict[str, str] = field(default_factory=dict)

    @property
    def realtime(self) -> bool:
        return self.answers.get("app_type") in {"realtime", "streaming", "iot"}

    @property
    def cpu_heavy(self) -> bool:
        return self.answers.get("cpu_heavy") == "true"

    @property
    def admin(self) -> bool:
        return self.stack == "django" and self.answers.get("needs_admin") == "true"

    @property
    def python(self) -> bool:
        return self.stack != "express"


CASES = [
    Case("express-rest-api", "express", {"app_type": "rest_api"}),
    Case("express-realtime-high", "express", {"app_type": "realtime", "concurrency": "high"}),
    Case("express-cpu-heavy", "express", {"app_type": "rest_api", "cpu_heavy": "true"}),
]


@dataclass
class Project:
    case: Case
    path: Path

    def env(self, port: int, **extra: str) -> dict[str, str]:
        return {"HOST": "127.0.0.1", "PORT": str(port), **extra}

    def make(self, target: str, timeout: float = 900) -> None:
        run(["make", target], cwd=self.path, timeout=timeout)


@pytest.fixture(scope="module", params=CASES, ids=[c.id for c in CASES])
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Project:
    case: Case = request.param
    dest = tmp_path_factory.mktemp(case.id) / "demo-app"
    argv = ["new", str(dest), "--defaults", "--no-git", "--stack", case.stack,
            "--data", "project_name=Demo App"]
    for key, value in case.answers.items():
        argv += ["--data", f"{key}={value}"]
    assert main(argv) == 0
    generated = Project(case, dest)
    generated.make("install")
    return generated


def test_nothing_left_unrendered(project: Project) -> None:
    assert leftover_jinja(project.path) == []


def test_lint_passes(project: Project) -> None:
    project.make("lint")


def test_own_tests_pass(project: Project) -> None:
    project.make("test")
    if project.case.stack == "django":  # and its own production check: check --deploy at WARNING
        result = run(["make", "deploy-check"], cwd=project.path)
        assert "no issues" in (result.stdout + result.stderr).lower()


def test_make_serve_answers_and_stops_on_sigterm(project: Project) -> None:
    port = free_port()
    with serve(["make", "serve"], project.path, project.env(port), port) as server:
        hello = get(server.base + "/")
        assert hello.status == 200, server.output()
        assert "hello" in json.dumps(hello.json()).lower()
        if project.case.stack == "express":  # helmet on, x-powered-by off
            headers = {k.lower() for k in hello.headers}
            assert "x-powered-by" not in headers
            assert {"content-security-policy", "x-content-type-options"} <= headers
        health = get(server.base + "/healthz")
        assert (health.status, health.json()) == (200, {"status": "ok"})
        ready = get(server.base + "/readyz")
        assert ready.status == 200 and ready.json()["status"] == "ready"
        if project.case.realtime:
            _check_websocket_echo(f"ws://127.0.0.1:{port}/ws")
        if project.case.cpu_heavy:
            computed = get(server.base + "/compute?n=20")
            assert (computed.status, computed.json()) == (200, {"n": 20, "result": 6765})
            assert get(server.base + "/compute?n=99").status == 400
        if project.case.admin:
            assert get(server.base + "/admin/login/").status == 200
        elapsed = terminate_server(server)
        assert server.process.returncode == 0, server.output()
        assert elapsed < 10, f"took {elapsed:.1f}s to stop"


def _check_websocket_echo(url: str) -> None:
    from websockets.sync.client import connect

    with connect(url, open_timeout=10) as ws:
        for message in ("hello", "second message"):
            ws.send(message)
            assert ws.recv(timeout=10) == message


def _dockerfile(project: Project) -> DockerfileParser:
    return DockerfileParser(path=str(project.path / "Dockerfile"))


def test_dockerfile_is_production_shaped(project: Project) -> None:
    result = run([tool("hadolint"), "Dockerfile"], cwd=project.path)
    assert result.stdout.strip() == ""
    dockerfile = _dockerfile(project)
    instructions = dockerfile.structure
    froms = [i["value"] for i in instructions if i["instruction"] == "FROM"]
    assert len(froms) >= 2, "expected a multi-stage build"
    assert all(re.search(r":\d+[\w.-]*", f.split()[0]) for f in froms), froms
    assert all("bookworm" in f or "slim" in f for f in froms), froms
    users = [i["value"] for i in instructions if i["instruction"] == "USER"]
    assert users and re.fullmatch(r"\d+(:\d+)?", users[-1]), users
    healthcheck = [i["value"] for i in instructions if i["instruction"] == "HEALTHCHECK"]
    assert healthcheck and "curl" not in healthcheck[0] and "/healthz" in healthcheck[0]
    assert json.loads(dockerfile.cmd) if dockerfile.cmd.startswith("[") else False, "CMD must be exec form"
    ignored = (project.path / ".dockerignore").read_text()
    assert ".env" in ignored and ".git" in ignored


def test_docker_start_command_runs_outside_docker(project: Project) -> None:
    dockerfile = _dockerfile(project)
    cmd = json.loads(dockerfile.cmd)
    port = free_port()
    path_dirs = [str(project.path / ".venv" / "bin"), str(project.path / "node_modules" / ".bin")]
    env = {**dockerfile.envs, **project.env(port), "PATH": os.pathsep.join([*path_dirs, os.environ["PATH"]])}
    if project.case.python:
        # In a container there is no .env: without its secret the app must refuse to start.
        with serve(cmd, project.path, env, port, wait=False) as server:
            assert server.process.wait(timeout=60) != 0, server.output()
            assert "SECRET_KEY" in server.output()
        # As in a cluster: the public host name only, so probes by IP must be exempt.
        env |= {"SECRET_KEY": "e2e-" + "x" * 60, "ALLOWED_HOSTS": "service.example.com"}
    with serve(cmd, project.path, env, port) as server:
        assert get(server.base + "/healthz").status == 200, server.output()
        assert get(server.base + "/readyz").status == 200, server.output()
        if project.case.stack == "django":  # ...while everything else keeps the production checks
            assert get(server.base + "/").status in (301, 400)
        terminate_server(server)
        assert server.process.returncode == 0, server.output()


def test_deploy_manifests_match_the_app(project: Project) -> None:
    port = 3000 if project.case.stack == "express" else 8000
    k8s = project.path / "deploy" / "k8s"
    deployment = yaml.safe_load((k8s / "deployment.yaml").read_text())
    service = yaml.safe_load((k8s / "service.yaml").read_text())
    hpa = yaml.safe_load((k8s / "hpa.yaml").read_text())
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["ports"][0]["containerPort"] == port
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["port"] in (port, container["ports"][0].get("name"))
    assert "cpu" in container["resources"]["requests"]
    security = {**pod.get("securityContext", {}), **container.get("securityContext", {})}
    assert security["runAsNonRoot"] is True and security["runAsUser"] > 0
    assert service["spec"]["ports"][0]["targetPort"] in (port, container["ports"][0].get("name"))
    assert service["spec"]["selector"].items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    assert hpa["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    assert hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment"
    compose = yaml.safe_load((project.path / "deploy" / "docker-compose.yml").read_text())
    services = compose["services"]
    assert any("nginx" in str(s.get("image", "")) for s in services.values())
    assert all("healthcheck" in s for s in services.values())
    workflow = yaml.safe_load((project.path / ".github" / "workflows" / "ci.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))
    assert {"push", "pull_request"} <= set(triggers)


def test_make_bench_prints_throughput_and_p99(project: Project) -> None:
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (.ci/run installs it)")
    result = run(["make", "bench"], cwd=project.path,
                 env={"BENCH_SECONDS": "1"}, timeout=180)
    assert re.search(r"requests/s: [\d.]+", result.stdout), result.stdout
    assert re.search(r"p99: [\d.]+ ?(ms|us|s)", result.stdout), result.stdout
