"""Generated projects to load: rendered by `stackpick new`, installed by their own `make install`.

A Python project with a committed `uv.lock` installs with uv through its own `make install`. A
project without one (the templates before issue 11 landed) has no uv path of its own; `standin`
then installs the same pins with `uv pip install` and does the rest of what its `make install`
does, so the uv side is measurable before the templates move. Every table says which one ran.
"""

from __future__ import annotations

import filecmp
import os
import secrets
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

from baselines import Server
from procs import clean_env, run

INSTALL_FILES = ("requirements.txt", "requirements-dev.txt", "pyproject.toml", "uv.lock", "package.json",
                 "package-lock.json")
PYTHON = "python3"  # what the generated Makefiles use (`PYTHON ?= python3`)


def render(stackpick: Sequence[str], dest: Path, stack: str, concurrency: str, env: Mapping[str, str]) -> Path:
    """`stackpick new` a plain REST API for STACK at CONCURRENCY (no git, every other default)."""
    run([*stackpick, "new", str(dest), "--defaults", "--no-git", "--stack", stack,
         "-d", "project_name=benchapp", "-d", "app_type=rest_api", "-d", f"concurrency={concurrency}"], env=env)
    return dest


def locked(project: Path) -> bool:
    """Does the project pin its Python dependencies in a uv lock (the uv-based templates)?"""
    return (project / "uv.lock").is_file()


def path_with(tool: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """BASE (default: our environment) with TOOL's folder first on PATH."""
    env = dict(base) if base is not None else clean_env()
    env["PATH"] = f"{tool.parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def install(project: Path, like: Path | None = None, env: Mapping[str, str] | None = None) -> None:
    """`make install`; or, when LIKE pins exactly the same dependencies, share LIKE's install."""
    if like is not None and all(_same(project / name, like / name) for name in INSTALL_FILES):
        for folder in (".venv", "node_modules"):
            if (like / folder).is_dir():
                (project / folder).symlink_to((like / folder).resolve(), target_is_directory=True)
        if (like / ".env").is_file():
            shutil.copy2(like / ".env", project / ".env")
        if (like / "data" / "db.sqlite3").is_file():
            shutil.copy2(like / "data" / "db.sqlite3", project / "data" / "db.sqlite3")
        return
    run(["make", "install"], cwd=project, env=env if env is not None else clean_env(), timeout=900)


def standin_steps(project: Path, uv: Path) -> list[list[str]]:
    """The uv stand-in's commands for a project without uv.lock: a venv, then its pins with uv pip."""
    return [[str(uv), "venv", "--quiet", "--python", PYTHON, ".venv"],
            [str(uv), "pip", "install", "--quiet", "--python", ".venv/bin/python", "-r", "requirements-dev.txt"]]


def standin(project: Path, uv: Path, env: Mapping[str, str]) -> None:
    """Install a pip-based project the uv way: `standin_steps`, then what `make install` does besides pip."""
    for cmd in standin_steps(project, uv):
        run(cmd, cwd=project, env=env, timeout=900)
    finish_install(project, env)


def finish_install(project: Path, env: Mapping[str, str]) -> None:
    """The rest of the pip-based `make install`: a SECRET_KEY in .env once; Django's migrations."""
    dotenv = project / ".env"
    if not dotenv.exists():
        dotenv.write_text(f"SECRET_KEY={secrets.token_urlsafe(50)}\n")
        dotenv.chmod(0o600)
    if (project / "manage.py").is_file():
        run([".venv/bin/python", "manage.py", "migrate", "--noinput"], cwd=project,
            env={**env, **dotenv_values(project)}, timeout=300)


def dotenv_values(project: Path) -> dict[str, str]:
    """KEY=VALUE lines of the project's .env (what its Makefile exports before starting the app)."""
    path = project / ".env"
    if not path.is_file():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def _same(left: Path, right: Path) -> bool:
    if not left.exists() and not right.exists():
        return True
    return left.is_file() and right.is_file() and filecmp.cmp(left, right, shallow=False)


def server(project: Path, stack: str, concurrency: str, label: str = "generated") -> Server:
    """The project's production server exactly as `make serve` starts it (HOST and PORT set later)."""
    return Server(f"{stack}: {label}, make serve, concurrency={concurrency}", stack, "generated",
                  ["make", "serve"], project, ready_path="/healthz")
