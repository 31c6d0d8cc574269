"""Git steps on a freshly generated project."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from stackpick import history
from stackpick.errors import GitError
from stackpick.history import HistoryError

# The first commit is ours, not the user's: their hooks, fsmonitor and signing must not run (a
# hook could fail it, a GPG passphrase prompt would hang it), and no editor may open.
_OURS = ("-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "-c", "commit.gpgsign=false",
         "-c", "tag.gpgsign=false")
FALLBACK_EMAIL = "stackpick@localhost"


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
    """`git init` PATH and commit everything, immune to the user's hooks and signing settings."""
    env = _identity(path, author)
    try:
        for args in (("init", "-q", "-b", "main"), ("add", "-A"),
                     ("commit", "-q", "--no-verify", "--no-gpg-sign", "-m", message)):
            history.git(*_OURS, *args, cwd=path, env=env)
    except HistoryError as exc:  # PATH is the staging copy: name what the user can act on instead
        raise GitError(f"the first commit failed: {exc}; nothing was written (--no-git skips git)") from exc


def _identity(path: Path, author: str) -> dict[str, str]:
    """The user's git identity; where git has none, a fallback, said in one line on stderr."""
    configured = {key: git(path, "config", f"user.{key}", check=False) for key in ("name", "email")}
    fallback = {"name": author or "stackpick", "email": FALLBACK_EMAIL}
    env: dict[str, str] = {}
    for role in ("AUTHOR", "COMMITTER"):
        for key in ("name", "email"):
            var = f"GIT_{role}_{key.upper()}"
            if not os.environ.get(var) and not configured[key] and not (key == "email" and os.environ.get("EMAIL")):
                env[var] = fallback[key]
    if env:
        name = env.get("GIT_AUTHOR_NAME") or os.environ.get("GIT_AUTHOR_NAME") or configured["name"]
        email = env.get("GIT_AUTHOR_EMAIL") or os.environ.get("GIT_AUTHOR_EMAIL") or configured["email"]
        print(f"stackpick: note: git has no identity configured, so the first commit is by {name} <{email}>; "
              "set yours with `git config --global user.name NAME` and `git config --global user.email "
              "EMAIL`, then `git commit --amend --reset-author --no-edit` in the project", file=sys.stderr)
    return env
