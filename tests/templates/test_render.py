"""Render tests with pytest-copie: a matrix of answer combinations, each checked without installing."""

from __future__ import annotations

import itertools
import runpy
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import TEMPLATES, leftover_jinja, tool

COMMON_FILES = [
    "README.md", "Makefile", "Dockerfile", ".dockerignore", ".gitignore", "SCALING.md",
    "docs/decisions/0001-stack-choice.md", ".github/workflows/ci.yml", ".github/dependabot.yml",
    ".pre-commit-config.yaml", "deploy/docker-compose.yml", "deploy/nginx.conf", "deploy/k8s/README.md",
    "deploy/k8s/base/kustomization.yaml", "deploy/k8s/base/deployment.yaml", "deploy/k8s/base/service.yaml",
    "deploy/k8s/base/hpa.yaml", "deploy/k8s/overlays/staging/kustomization.yaml",
    "deploy/k8s/overlays/production/kustomization.yaml",
    "scripts/bench.sh", ".copier-answers.yml",
]
REALTIME_FILE = {"express": "src/ws.js", "flask": "demo_app/realtime.py", "django": "demo_app/consumers.py"}
COMPUTE_FILE = {"express": "src/compute/pool.js", "flask": "demo_app/compute.py", "django": "demo_app/compute.py"}

SECTIONS = {
    "## Concurrency": lambda a: a["concurrency"] in {"medium", "high"},
    "## CPU-heavy requests": lambda a: a["cpu_heavy"],
    "## Real-time connections": lambda a: a["app_type"] in {"realtime", "streaming", "iot"},
    "## Machine-learning libraries": lambda a: a["ml_libraries"],
    "## A large codebase": lambda a: a["project_size"] == "large",
}


def matrix() -> list[tuple[str, dict[str, Any]]]:
    """Every stack crossed with answer shapes that switch each tailoring branch on and off."""
    shapes = [
        ("plain", dict(app_type="rest_api", concurrency="low", cpu_heavy=False, needs_admin=False,
                       project_size="small", ml_libraries=False)),
        ("realtime-high", dict(app_type="realtime", concurrency="high", cpu_heavy=False, needs_admin=False,
                               project_size="medium", ml_libraries=False)),
        ("streaming-medium-cpu", dict(app_type="streaming", concurrency="medium", cpu_heavy=True,
                                      needs_admin=False, project_size="small", ml_libraries=False)),
        ("cms-admin-large", dict(app_type="cms", concurrency="medium", cpu_heavy=False, needs_admin=True,
                                 project_size="large", ml_libraries=False)),
        ("ml-cpu-admin", dict(app_type="data_ml", concurrency="low", cpu_heavy=True, needs_admin=True,
                              project_size="medium", ml_libraries=True)),
        ("iot-everything", dict(app_type="iot", concurrency="high", cpu_heavy=True, needs_admin=True,
                                project_size="large", ml_libraries=True)),
    ]
    return [(f"{stack}-{name}", {**answers, "stack": stack, "team_language": "both"})
            for stack, (name, answers) in itertools.product(("express", "flask", "django"), shapes)]


MATRIX = matrix()


@pytest.mark.parametrize("answers", [a for _, a in MATRIX], ids=[i for i, _ in MATRIX])
def test_render(copie: Any, answers: dict[str, Any]) -> None:
    result = copie.copy(extra_answers={**answers, "project_name": "Demo App"}, template_dir=TEMPLATES)
    assert result.exit_code == 0, result.exception
    root: Path = result.project_dir
    assert leftover_jinja(root) == []
    for name in COMMON_FILES:
        assert (root / name).is_file(), name

    recorded = yaml.safe_load((root / ".copier-answers.yml").read_text())
    for key, value in answers.items():
        assert recorded[key] == value, key
    assert recorded["project_name"] == "Demo App"
    assert "decision" not in recorded and "realtime" not in recorded

    scaling = (root / "SCALING.md").read_text()
    for heading, applies in SECTIONS.items():
        assert (heading in scaling) == applies(answers), heading
        if applies(answers):
            section = scaling.split(heading, 1)[1]
            assert "Triggered by:" in section.split("\n## ", 1)[0], heading

    stack = answers["stack"]
    realtime = answers["app_type"] in {"realtime", "streaming", "iot"}
    assert (root / REALTIME_FILE[stack]).exists() == realtime
    assert (root / COMPUTE_FILE[stack]).exists() == answers["cpu_heavy"]
    if stack == "django":
        urls = (root / "config" / "urls.py").read_text()
        assert ("admin.site.urls" in urls) == answers["needs_admin"]
        assert (root / "demo_app" / "migrations" / "__init__.py").exists()
    if stack != "express":
        _check_server_settings(root, answers)


def _check_server_settings(root: Path, answers: dict[str, Any]) -> None:
    """Load the rendered serve.py (without starting it) and check the server shape it asks for."""
    settings = runpy.run_path(str(root / "serve.py"))
    realtime = answers["app_type"] in {"realtime", "streaming", "iot"}
    assert settings["GRACEFUL_SECONDS"] < 10, "must finish before docker stop's 10 s"
    stack = answers["stack"]
    django_target = "config.asgi:application" if realtime else "config.wsgi:application"
    assert settings["APP"] == {"flask": "demo_app.wsgi:app", "django": django_target}[stack]
    assert "run" in settings and "Settings" in settings
    if stack == "flask" and realtime:  # flask-sock needs gunicorn's threads, one per open socket
        assert "_close_websockets_on_sigterm" in settings
        assert settings["THREADS"] == {"low": 32, "medium": 128, "high": 256}[answers["concurrency"]]
    else:  # Granian; recycling would cut open WebSockets
        assert (settings["WORKER_LIFETIME_SECONDS"] is None) == realtime


def test_copier_alone_renders_the_templates(tmp_path: Path) -> None:
    """Without stackpick: `copier copy` straight from templates/, no --trust."""
    dest = tmp_path / "plain-copier"
    subprocess.run([tool("copier"), "copy", "--defaults", "--data", "project_name=Plain Copier",
                    "--data", "stack=django", str(TEMPLATES), str(dest)],
                   check=True, capture_output=True, stdin=subprocess.DEVNULL)
    assert (dest / "manage.py").exists()
    adr = (dest / "docs" / "decisions" / "0001-stack-choice.md").read_text()
    assert "stackpick recommend" in adr
    assert leftover_jinja(dest) == []


def test_template_needs_no_trust() -> None:
    config = yaml.safe_load((TEMPLATES / "copier.yml").read_text())
    assert not {"_tasks", "_migrations", "_jinja_extensions"} & set(config)


@pytest.mark.parametrize("stack", ["express", "flask", "django"])
def test_bench_script_is_valid_sh(copie: Any, stack: str) -> None:
    result = copie.copy(extra_answers={"stack": stack, "project_name": "Demo App"}, template_dir=TEMPLATES)
    subprocess.run(["sh", "-n", str(result.project_dir / "scripts" / "bench.sh")], check=True)


