"""Deploy files of every tailoring variant, through the tools a platform team runs on them.

Every answer set of the render matrix is rendered once; then kubectl's kustomize builds each overlay,
and kubernetes-validate, checkov, the compose-spec / GitHub workflow / dependabot schemas, actionlint,
pre-commit, hadolint and `nginx -t` check the results, each in one run over all variants where the
tool takes many files. Other tests assert the exact values the apps and the contract rely on.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests import deploy_tools
from tests.deploy_tools import NAME, OVERLAYS, Variant
from tests.support import run, tool
from tests.templates.test_render import MATRIX

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("deploy")


@pytest.fixture(scope="module")
def variants(base: Path) -> list[Variant]:
    rendered = deploy_tools.render(MATRIX, base)
    deploy_tools.build_overlays(rendered)
    return rendered


def each(variants: list[Variant], relative: str) -> list[str]:
    return [str(v.root / relative) for v in variants]


# --- Kubernetes ----------------------------------------------------------------------------------

def test_overlays_pass_kubernetes_validate_strict(variants: list[Variant]) -> None:
    """Newest schema for every build; the oldest supported (1.30, the preStop sleep action) for production."""
    built = [str(v.built(o)) for v in variants for o in OVERLAYS]
    for version, files in (("1.37.0", built), ("1.30.0", [str(v.built("production")) for v in variants])):
        result = run([tool("kubernetes-validate"), "--strict", "--quiet", "-k", version, *files], cwd=Path.cwd())
        assert "ERROR" not in result.stdout + result.stderr, result.stdout


def test_checkov_fails_nothing_and_skips_only_the_justified(variants: list[Variant], base: Path) -> None:
    code, reports = deploy_tools.checkov(variants, base / "checkov")
    assert set(reports) == {"kubernetes", "github_actions", "dockerfile"}
    for framework, report in reports.items():
        assert report["summary"]["failed"] == 0, [(c["check_id"], c["file_path"]) for c in
                                                  report["results"]["failed_checks"]]
        assert report["summary"]["parsing_errors"] == 0, framework
        assert report["summary"]["passed"] > 0, framework
    assert code == 0
    expected = set()
    for v in variants:
        for overlay in OVERLAYS:
            for kind, name in [("Deployment", NAME)] + ([("Job", f"{NAME}-migrate")] if v.django else []):
                for check in ["CKV_K8S_43"] + (["CKV_K8S_35"] if v.python else []):
                    expected.add((f"/{v.id}/k8s-{overlay}.yaml", check, f"{kind}.{NAME}-{overlay}.{name}"))
    skipped = reports["kubernetes"]["results"]["skipped_checks"]
    assert {(c["file_path"], c["check_id"], c["resource"]) for c in skipped} == expected
    reasons = {c["check_id"]: c["check_result"]["suppress_comment"] for c in skipped}
    assert "digest" in reasons["CKV_K8S_43"] and f"Secret {NAME}-secrets" in reasons["CKV_K8S_35"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_manifests_match_the_app_and_the_contract(variants: list[Variant], overlay: str) -> None:
    namespace = f"{NAME}-{overlay}"
    host = f"{NAME}.staging.example.com" if overlay == "staging" else f"{NAME}.example.com"
    for v in variants:
        docs = v.docs(overlay)
        assert {d["metadata"].get("namespace", namespace) for d in docs.values()} == {namespace}, v.id
        ns = docs[("Namespace", namespace)]["metadata"]["labels"]
        assert ns["pod-security.kubernetes.io/enforce"] == "restricted"
        assert docs[("ServiceAccount", NAME)]["automountServiceAccountToken"] is False
        deployment = docs[("Deployment", NAME)]
        assert "replicas" not in deployment["spec"], "the HPA owns the scale"
        pod_meta, pod = deployment["spec"]["template"]["metadata"], deployment["spec"]["template"]["spec"]
        assert pod_meta["annotations"] == {"prometheus.io/scrape": "true", "prometheus.io/port": str(v.port),
                                           "prometheus.io/path": "/metrics"}
        _check_pod(v, pod, "app")
        app = pod["containers"][0]
        assert app["ports"] == [{"name": "http", "containerPort": v.port, "protocol": "TCP"}]
        assert app["startupProbe"]["httpGet"] == app["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        assert app["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
        assert app["lifecycle"] == {"preStop": {"sleep": {"seconds": 5}}}
        assert pod["terminationGracePeriodSeconds"] == 30
        assert [c["topologyKey"] for c in pod["topologySpreadConstraints"]] == [
            "topology.kubernetes.io/zone", "kubernetes.io/hostname"]
        env = {e["name"]: e.get("value") for e in app["env"]}
        assert env["PORT"] == str(v.port) and env["HOST"] == "0.0.0.0"
        # Python's serve.py sizes its workers from the CPU limit itself; Express runs one process per pod.
        assert env.get("WEB_CONCURRENCY") == ("1" if v.stack == "express" else None)
        assert "COMPUTE_WORKERS" not in env and "DATABASE_PATH" not in env
        if v.django:
            assert env["ALLOWED_HOSTS"] == host and env["CSRF_TRUSTED_ORIGINS"] == f"https://{host}"
            assert [c["name"] for c in pod["initContainers"]] == ["wait-for-migrations"]
            assert "python manage.py migrate --check" in pod["initContainers"][0]["command"][2]
            job = docs[("Job", f"{NAME}-migrate")]
            assert job["spec"]["template"]["spec"]["containers"][0]["command"] == [
                "python", "manage.py", "migrate", "--noinput"]
            assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
            _check_pod(v, job["spec"]["template"]["spec"], "migrate")
        else:
            assert "initContainers" not in pod and not any(kind == "Job" for kind, _ in docs)

        selector = {"app.kubernetes.io/name": NAME, "app.kubernetes.io/component": "web"}
        assert deployment["spec"]["selector"]["matchLabels"] == selector
        assert selector.items() <= pod_meta["labels"].items()
        service = docs[("Service", NAME)]["spec"]
        assert service["selector"] == selector and service["ports"][0]["targetPort"] == "http"
        hpa = docs[("HorizontalPodAutoscaler", NAME)]["spec"]
        assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": NAME}
        assert (hpa["minReplicas"], hpa["maxReplicas"]) == ((1, 3) if overlay == "staging" else (2, 10))
        assert docs[("PodDisruptionBudget", NAME)]["spec"]["selector"]["matchLabels"] == selector
        _check_network_policy(v, docs[("NetworkPolicy", NAME)]["spec"])
        _check_ingress(docs, host)


def _check_pod(v: Variant, pod: dict[str, Any], container: str) -> None:
    """uid/gid 10001 like the images, no token, read-only root with /tmp, Secret refs as the contract says."""
    assert pod["securityContext"] == {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001,
                                      "fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}}
    assert pod["serviceAccountName"] == NAME and pod["automountServiceAccountToken"] is False
    assert pod["volumes"] == [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}], "no SQLite or other state"
    containers = pod.get("initContainers", []) + pod["containers"]
    assert pod["containers"][0]["name"] == container
    for c in containers:
        assert c["image"] == f"registry.example.com/{NAME}:0.1.0" and c["imagePullPolicy"] == "Always"
        assert c["securityContext"] == {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                        "runAsNonRoot": True, "capabilities": {"drop": ["ALL"]}}
        assert c["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]
        assert {"cpu", "memory"} <= c["resources"]["requests"].keys() & c["resources"]["limits"].keys()
        secrets = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in c.get("env", []) if "valueFrom" in e}
        keys = {"SECRET_KEY", "DATABASE_URL"} if v.django else {"SECRET_KEY"} if v.python else set()
        assert secrets == {k: {"name": f"{NAME}-secrets", "key": k} for k in keys}


def _check_network_policy(v: Variant, policy: dict[str, Any]) -> None:
    assert policy["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": NAME}}
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    [ingress] = policy["ingress"]
    assert ingress["ports"] == [{"protocol": "TCP", "port": v.port}]
    assert [p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for p in ingress["from"]] == [
        "ingress-nginx", "monitoring"]
    ports = [[(p["protocol"], p["port"]) for p in rule["ports"]] for rule in policy["egress"]]
    assert ports == [[("UDP", 53), ("TCP", 53)]] + ([[("TCP", 5432)]] if v.django else [])


def _check_ingress(docs: dict[tuple[str, str], dict[str, Any]], host: str) -> None:
    ingress = docs[("Ingress", NAME)]["spec"]
    assert ingress["tls"] == [{"hosts": [host], "secretName": f"{NAME}-tls"}]
    [rule] = ingress["rules"]
    assert rule["host"] == host
    routes = {p["path"]: p["backend"]["service"] for p in rule["http"]["paths"]}
    assert routes == {"/metrics": {"name": f"{NAME}-no-public-metrics", "port": {"number": 80}},
                      "/": {"name": NAME, "port": {"name": "http"}}}
    assert "selector" not in docs[("Service", f"{NAME}-no-public-metrics")]["spec"], "must have no endpoints"


# --- docker compose and nginx ---------------------------------------------------------------------

def test_compose_files_pass_the_compose_spec_schema(variants: list[Variant]) -> None:
    run([tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec",
         *each(variants, "deploy/docker-compose.yml")], cwd=Path.cwd())


def test_compose_is_hardened_like_the_manifests(variants: list[Variant]) -> None:
    for v in variants:
        compose = v.yaml("deploy/docker-compose.yml")
        services = compose["services"]
        assert set(services) == ({"app", "nginx", "db", "migrate"} if v.django else {"app", "nginx"}), v.id
        for name, service in services.items():
            assert service["read_only"] is True and service["cap_drop"] == ["ALL"], name
            assert service["security_opt"] == ["no-new-privileges:true"], name
            assert "/tmp" in service["tmpfs"] and service["deploy"]["resources"]["limits"].keys() == {"cpus", "memory"}
            assert re.fullmatch(r"\d+:\d+", service["user"]) and service["user"] != "0:0", name
            assert name == "migrate" or "healthcheck" in service, name
        app = services["app"]
        assert app["user"] == "10001:10001" and app["image"] == f"{NAME}:local"
        assert app["environment"]["PORT"] == str(v.port) and app["expose"] == [str(v.port)]
        assert services["nginx"]["ports"] == ["8080:8080"]
        assert services["nginx"]["volumes"] == ["./nginx.conf:/etc/nginx/nginx.conf:ro"]
        assert "DATABASE_PATH" not in app["environment"]
        if v.django:
            assert app["environment"]["DATABASE_URL"] == "postgres://app:${POSTGRES_PASSWORD:-local-only}@db:5432/app"
            assert app["depends_on"] == {"db": {"condition": "service_healthy"},
                                         "migrate": {"condition": "service_completed_successfully"}}
            assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
            assert services["migrate"]["image"] == app["image"]
            db = services["db"]
            assert db["volumes"] == ["db-data:/var/lib/postgresql"] and "db-data" in compose["volumes"]
            assert db["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
            assert compose["networks"]["back"] == {"internal": True}
            assert "back" not in services["nginx"]["networks"]


def test_nginx_configs_pass_nginx_t(variants: list[Variant], tmp_path: Path) -> None:
    for v in variants:
        prefix = tmp_path / v.id
        prefix.mkdir()
        result = subprocess.run([deploy_tools.nginx_binary(), "-t", "-q", "-p", str(prefix), "-e", "stderr",
                                 "-c", str(v.root / "deploy/nginx.conf")], capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"{v.id}: {result.stderr}"


# --- CI, dependabot, pre-commit, Dockerfiles -------------------------------------------------------

def test_workflows_pass_actionlint_and_the_schema(variants: list[Variant], base: Path) -> None:
    linted = deploy_tools.actionlint(base)
    assert linted.returncode == 0, linted.stdout[-4000:]
    assert f"Checking {len(variants)} workflow file(s)" in linted.stdout, (deploy_tools.WORKFLOWS, linted.stdout)
    run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
         *each(variants, ".github/workflows/ci.yml")], cwd=Path.cwd())
    run([tool("check-jsonschema"), "--builtin-schema", "vendor.dependabot",
         *each(variants, ".github/dependabot.yml")], cwd=Path.cwd())


def test_workflow_shape(variants: list[Variant]) -> None:
    for v in variants:
        workflow = v.yaml(".github/workflows/ci.yml")
        assert workflow["permissions"] == {"contents": "read"}
        assert workflow["concurrency"] == {"group": "${{ github.workflow }}-${{ github.ref }}",
                                           "cancel-in-progress": True}
        jobs = workflow["jobs"]
        assert set(jobs) == {"test", "image"} and all(0 < j["timeout-minutes"] <= 20 for j in jobs.values())
        uses = {s["uses"] for j in jobs.values() for s in j["steps"] if "uses" in s}
        setup = ({"actions/setup-python@v7", "astral-sh/setup-uv@v10.1.0"} if v.python
                 else {"actions/setup-node@v7"})
        assert uses == {"actions/checkout@v7", "docker/setup-buildx-action@v4", "docker/build-push-action@v7"} | setup
        build = next(s for s in jobs["image"]["steps"] if s.get("uses", "").startswith("docker/build-push"))
        assert build["with"]["push"] is False
        targets = [s["run"].removeprefix("make ") for s in jobs["test"]["steps"] if "run" in s]
        assert targets[:3] == ["install", "lint", "test"]
        makefile = (v.root / "Makefile").read_text()
        for target in targets:
            assert re.search(rf"^{target}:", makefile, re.M), f"{v.id}: CI runs `make {target}`, Makefile lacks it"
        if v.django:
            postgres = jobs["test"]["services"]["postgres"]
            assert "pg_isready" in postgres["options"]
            assert jobs["test"]["env"]["DATABASE_URL"] == "postgres://app:ci-only@localhost:5432/app"
        else:
            assert "services" not in jobs["test"]


def test_dependabot_covers_the_packages_the_images_and_the_actions(variants: list[Variant]) -> None:
    lockfile = {"npm": "package-lock.json", "pip": "requirements.txt", "uv": "uv.lock"}
    for v in variants:
        updates = {u["package-ecosystem"]: u for u in v.yaml(".github/dependabot.yml")["updates"]}
        [packages] = set(updates) - {"docker", "docker-compose", "github-actions"}
        assert packages == ("uv" if v.python else "npm")
        assert (v.root / lockfile[packages]).exists(), f"{v.id}: {packages} updates need {lockfile[packages]}"
        assert updates["docker-compose"]["directory"] == "/deploy"
        assert all(u["schedule"]["interval"] == "weekly" for u in updates.values())


def test_pre_commit_configs_validate(variants: list[Variant]) -> None:
    run([tool("pre-commit"), "validate-config", *each(variants, ".pre-commit-config.yaml")], cwd=Path.cwd())
    for v in variants:
        repos = v.yaml(".pre-commit-config.yaml")["repos"]
        assert all(re.fullmatch(r"v\d+\.\d+\.\d+", r["rev"]) for r in repos if r["repo"] != "local")
        hooks = {h["id"]: h for r in repos for h in r["hooks"]}
        assert "check-merge-conflict" in hooks
        if v.python:
            assert hooks["ruff-check"]["entry"].startswith(".venv/bin/ruff check")
        else:
            assert hooks["eslint"]["entry"].startswith("node_modules/.bin/eslint")


def test_every_dockerfile_passes_hadolint(variants: list[Variant]) -> None:
    run([tool("hadolint"), *each(variants, "Dockerfile")], cwd=Path.cwd())

