"""The service's own Dockerfile and Kubernetes manifests, validated and run as they would be."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import yaml
from dockerfile_parse import DockerfileParser

from tests.support import ROOT, free_port, run, terminate_server, tool
from tests.web.client import call, start

DEPLOY = ROOT / "deploy" / "serve"
K8S = DEPLOY / "k8s"


def _manifests() -> dict[str, dict[str, object]]:
    return {doc["kind"]: doc for path in sorted(K8S.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text())}


def _dockerfile() -> DockerfileParser:
    return DockerfileParser(path=str(DEPLOY / "Dockerfile"))


def test_dockerfile_passes_hadolint_and_is_production_shaped() -> None:
    assert run([tool("hadolint"), str(DEPLOY / "Dockerfile")], cwd=ROOT).stdout.strip() == ""
    dockerfile = _dockerfile()
    steps = dockerfile.structure
    froms = [s["value"].split()[0] for s in steps if s["instruction"] == "FROM"]
    assert froms == ["python:3.13-slim-trixie", "python:3.13-slim-trixie"]
    assert [s["value"] for s in steps if s["instruction"] == "USER"] == ["10001:10001"]
    healthcheck = next(s["value"] for s in steps if s["instruction"] == "HEALTHCHECK")
    assert "curl" not in healthcheck and "/healthz" in healthcheck
    assert json.loads(dockerfile.cmd) == ["stackpick", "serve", "--host", "0.0.0.0", "--port", "8000"]
    # The root filesystem is read-only in Kubernetes: everything written must be under /tmp.
    for name in ("HOME", "XDG_DATA_HOME", "TMPDIR"):
        assert dockerfile.envs[name].startswith("/tmp"), name
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    assert {".venv", "**/node_modules"} <= set(ignored)


def test_manifests_pass_kubernetes_validate_strict_and_checkov() -> None:
    files = [str(p) for p in sorted(K8S.glob("*.yaml"))]
    result = run([tool("kubernetes-validate"), "--strict", *files], cwd=ROOT)
    assert result.stdout.count(" passed for resource ") == len(files), result.stdout
    checkov = tool("checkov")  # make setup links it from its own venv into .venv/bin
    report = run([checkov, "-d", str(DEPLOY), "--quiet", "--compact", "--skip-download", "-o", "json"],
                 cwd=ROOT, timeout=600)
    summaries = json.loads(report.stdout)
    for scan in summaries if isinstance(summaries, list) else [summaries]:
        assert scan["summary"]["failed"] == 0, (scan["check_type"], scan["results"]["failed_checks"])
    assert {scan["check_type"] for scan in summaries} == {"kubernetes", "dockerfile"}


def test_manifests_match_the_server() -> None:
    docs = _manifests()
    assert set(docs) == {"Namespace", "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget",
                         "NetworkPolicy"}
    deployment, service, hpa = docs["Deployment"], docs["Service"], docs["HorizontalPodAutoscaler"]
    spec = deployment["spec"]
    assert isinstance(spec, dict) and spec["replicas"] >= 2
    pod = spec["template"]["spec"]
    container = pod["containers"][0]
    assert container["args"][:6] == json.loads(_dockerfile().cmd)
    assert container["ports"][0]["containerPort"] == 8000
    annotations = spec["template"]["metadata"]["annotations"]
    assert (annotations["prometheus.io/port"], annotations["prometheus.io/path"]) == ("8000", "/metrics")
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert (pod["securityContext"]["runAsNonRoot"], pod["securityContext"]["runAsUser"]) == (True, 10001)
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts == {"tmp": "/tmp"} and "emptyDir" in pod["volumes"][0]
    labels = spec["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()  # type: ignore[index]
    assert service["spec"]["ports"][0]["targetPort"] == "http"  # type: ignore[index]
    target = hpa["spec"]["scaleTargetRef"]  # type: ignore[index]
    assert (target["kind"], target["name"]) == ("Deployment", deployment["metadata"]["name"])  # type: ignore[index]
    assert "cpu" in container["resources"]["requests"]


def test_the_container_command_serves_with_the_image_environment(tmp_path: Path) -> None:
    """The Deployment's args with the image's ENV, outside Docker: /tmp remapped, loopback only."""
    env = {k: v.replace("/tmp", str(tmp_path)) for k, v in _dockerfile().envs.items() if k != "PATH"}
    container = _manifests()["Deployment"]["spec"]["template"]["spec"]["containers"][0]  # type: ignore[index]
    env |= {e["name"]: e["value"] for e in container["env"]}
    port = free_port()
    args = " ".join(container["args"][1:]).replace("--host 0.0.0.0", "--host 127.0.0.1")
    args = re.sub(r"--port \d+", "", args).split()
    assert args[0] == "serve" and shutil.which(tool("stackpick"))
    with start(tmp_path / "work", *args[1:], port=port, env=env) as server:
        for path in ("/healthz", "/readyz", "/metrics"):
            assert call(server.base + path).status == 200, path
        assert (tmp_path / "stackpick-data" / "stackpick" / "templates.bundle").is_file()
        archive = call(server.base + "/starter.tar.gz?project_name=probe")
        assert archive.status == 200 and archive.body[:2] == b"\x1f\x8b"
        assert terminate_server(server.server) < 10
        assert server.server.process.returncode == 0
