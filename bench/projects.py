"""Generated projects to load: rendered by `stackpick new`, installed by their own `make install`."""

from __future__ import annotations

import filecmp
import shutil
from collections.abc import Mapping
from pathlib import Path

from baselines import Server
from procs import clean_env, run

INSTALL_FILES = ("requirements.txt", "requirements-dev.txt", "package.json", "package-lock.json")


def render(stackpick: Path, dest: Path, stack: str, concurrency: str, env: Mapping[str, str]) -> Path:
    """`stackpick new` a plain REST API for STACK at CONCURRENCY (no git, every other default)."""
    run([str(stackpick), "new", str(dest), "--defaults", "--no-git", "--stack", stack,
         "-d", "project_name=benchapp", "-d", "app_type=rest_api", "-d", f"concurrency={concurrency}"], env=env)
    return dest


def install(project: Path, like: Path | None = None) -> None:
    """`make install`; or, when LIKE pins exactly the same dependencies, share LIKE's install."""
    if like is not None and all(_same(project / name, like / name) for name in INSTALL_FILES):
        for folder in (".venv", "node_modules"):
            if (like / folder).is_dir():
                (project / folder).symlink_to((like / folder).resolve(), target_is_directory=True)
        if (like / ".env").is_file():
            shutil.copy2(like / ".env", project / ".env")
        return
    run(["make", "install"], cwd=project, env=clean_env(), timeout=900)


def _same(left: Path, right: Path) -> bool:
    if not left.exists() and not right.exists():
        return True
    return left.is_file() and right.is_file() and filecmp.cmp(left, right, shallow=False)


def server(project: Path, stack: str, concurrency: str) -> Server:
    """The project's production server exactly as `make serve` starts it (HOST and PORT set later)."""
    return Server(f"{stack}: generated, concurrency={concurrency}", stack, "generated", ["make", "serve"],
                  project, ready_path="/healthz")
