"""Generated projects to load: rendered by `stackpick new`, installed by their own `make install`."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from baselines import Server
from procs import clean_env, run

PYTHON = "python3"  # what the generated Makefiles use (`PYTHON ?= python3`)


def render(stackpick: Sequence[str], dest: Path, stack: str, concurrency: str, env: Mapping[str, str],
           app_type: str = "rest_api") -> Path:
    """`stackpick new` an APP_TYPE project for STACK at CONCURRENCY (no git, every other default)."""
    run([*stackpick, "new", str(dest), "--defaults", "--no-git", "--stack", stack,
         "-d", "project_name=benchapp", "-d", f"app_type={app_type}", "-d", f"concurrency={concurrency}"], env=env)
    return dest


def locked(project: Path) -> bool:
    """Does the project pin its Python dependencies in a uv lock (the uv-based templates)?"""
    return (project / "uv.lock").is_file()


def path_with(tool: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """BASE (default: our environment) with TOOL's folder first on PATH."""
    env = dict(base) if base is not None else clean_env()
    env["PATH"] = f"{tool.parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def install(project: Path, env: Mapping[str, str] | None = None) -> None:
    """The project's own `make install`."""
    run(["make", "install"], cwd=project, env=env if env is not None else clean_env(), timeout=900)


def dotenv_values(project: Path) -> dict[str, str]:
    """KEY=VALUE lines of the project's .env (what its Makefile exports before starting the app)."""
    path = project / ".env"
    if not path.is_file():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def server(project: Path, stack: str, concurrency: str, label: str = "generated", role: str = "generated") -> Server:
    """The project's production server exactly as `make serve` starts it (HOST and PORT set later)."""
    return Server(f"{stack}: {label}, make serve, concurrency={concurrency}", stack, role,
                  ["make", "serve"], project, ready_path="/healthz")
