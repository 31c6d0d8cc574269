"""The generators compared: this checkout's stackpick, and today's flow rebuilt from git history.

Today's flow is stackpick and its templates exactly as they were at TODAY_REF (main before issue
11: projects installed with `pip install -r requirements-dev.txt` and served by gunicorn). The
commit's `generator/` and `templates/` are unpacked with `git archive` into the scratch folder and
that stackpick runs from there with this interpreter (whose site-packages hold the same copier),
with its own template store, so nothing of the new templates leaks into the old flow.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from procs import BenchError, run

ROOT = Path(__file__).resolve().parent.parent
# main just before issue 11's template changes: pip + requirements-dev.txt, gunicorn (5 sync workers).
TODAY_REF = "0857c8210ca34743d820913f86ba97c75ad449d5"
_MAIN = "import sys; from stackpick.cli import main; sys.exit(main())"


@dataclass(frozen=True)
class Generator:
    """A stackpick to run: how it is called, with which environment, and what to call it in tables."""

    label: str
    cmd: list[str]
    env: dict[str, str] = field(default_factory=dict)


def current(stackpick: Path, env: Mapping[str, str]) -> Generator:
    """This checkout's stackpick (the venv's console script)."""
    return Generator("this checkout", [str(stackpick)], dict(env))


def describe(ref: str) -> str:
    """`abc1234 (2026-12-01) subject` for REF, or raise BenchError when git does not know it."""
    try:
        return run(["git", "log", "-1", "--format=%h (%cs) %s", f"{ref}^{{commit}}", "--"], cwd=ROOT).strip()
    except BenchError as exc:
        raise BenchError(f"today's flow is rebuilt from commit {ref}, which this repository does not have "
                         f"(pass --today-ref with a commit from before issue 11)\n{exc}") from exc


def at_commit(ref: str, work: Path, env: Mapping[str, str]) -> Generator:
    """stackpick and its templates as committed at REF, unpacked into WORK and run with this Python."""
    describe(ref)
    src, archive = work / "today-src", work / "today-src.tar"
    src.mkdir(parents=True)
    run(["git", "archive", "--format=tar", "-o", str(archive), ref, "generator", "templates"], cwd=ROOT)
    run(["tar", "-xf", str(archive), "-C", str(src)])
    archive.unlink()
    data = work / "today-data"  # its own store: the old history must not merge into the new one
    data.mkdir()
    return Generator(f"stackpick at {ref[:7]}", [sys.executable, "-c", _MAIN],
                     {**env, "PYTHONPATH": str(src / "generator"), "XDG_DATA_HOME": str(data)})
