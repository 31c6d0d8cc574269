"""Git steps on a freshly generated project."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from stackpick.errors import GitError


def _git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True,
                              check=False)
    except FileNotFoundError as exc:
        raise GitError("git is not installed; install it or pass --no-git") from exc


def inside_repository(path: Path) -> bool:
    """True when PATH lies inside an existing git work tree."""
    probe = path if path.is_dir() else path.parent
    while not probe.exists():
        probe = probe.parent
    result = _git("rev-parse", "--is-inside-work-tree", cwd=probe)
    return result.returncode == 0 and result.stdout.strip() == "true"


def init_and_commit(path: Path, message: str, author: str) -> None:
    """`git init` PATH and commit everything; borrow an identity only if git has none configured."""
    env = dict(os.environ)
    if not _git("config", "user.email", cwd=path).stdout.strip():
        env.setdefault("GIT_AUTHOR_NAME", author or "stackpick")
        env.setdefault("GIT_AUTHOR_EMAIL", "stackpick@localhost")
        env.setdefault("GIT_COMMITTER_NAME", env["GIT_AUTHOR_NAME"])
        env.setdefault("GIT_COMMITTER_EMAIL", env["GIT_AUTHOR_EMAIL"])
    for args in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-q", "-m", message)):
        result = _git(*args, cwd=path, env=env)
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            raise GitError(f"git {args[0]} failed in {path}: {detail[-1] if detail else 'no output'}")
