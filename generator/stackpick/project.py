"""Git steps on a freshly generated project."""

from __future__ import annotations

import os
from pathlib import Path

from stackpick import history
from stackpick.errors import GitError
from stackpick.history import HistoryError


def git(path: Path, *args: str, check: bool = True, env: dict[str, str] | None = None) -> str:
    """Run git in PATH; return stdout stripped, or raise GitError with git's last line."""
    try:
        return history.git(*args, cwd=path, env=env, check=check)
    except HistoryError as exc:
        raise GitError(f"{exc} (in {path})") from exc


def inside_repository(path: Path) -> bool:
    """True when PATH lies inside an existing git work tree."""
    probe = path if path.is_dir() else path.parent
    while not probe.exists():
        probe = probe.parent
    return git(probe, "rev-parse", "--is-inside-work-tree", check=False) == "true"


def init_and_commit(path: Path, message: str, author: str) -> None:
    """`git init` PATH and commit everything; borrow an identity only if git has none configured."""
    env = dict(os.environ)
    if not git(path, "config", "user.email", check=False):
        env.setdefault("GIT_AUTHOR_NAME", author or "stackpick")
        env.setdefault("GIT_AUTHOR_EMAIL", "stackpick@localhost")
        env.setdefault("GIT_COMMITTER_NAME", env["GIT_AUTHOR_NAME"])
        env.setdefault("GIT_COMMITTER_EMAIL", env["GIT_AUTHOR_EMAIL"])
    for args in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-q", "-m", message)):
        git(path, *args, env=env)
