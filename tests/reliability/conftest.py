"""Helpers for the reliability tests: stackpick in-process with captured output, as a process, and
as a user without root's permission bypass."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from stackpick.cli import main

EXIT_CODES = {0, 1, 2, 130}
NEW = ["--defaults", "--no-git", "--stack", "flask", "--data", "project_name=demo"]


@dataclass
class Result:
    code: int
    out: str
    err: str

    def one_line_error(self) -> str:
        """The single stderr line of a refused run (fails the test on anything else)."""
        lines = self.err.strip().splitlines()
        assert len(lines) == 1, self.err
        assert lines[0].startswith("stackpick: error: "), self.err
        assert "Traceback" not in self.out + self.err
        return lines[0].removeprefix("stackpick: error: ")


def cli(*argv: str) -> Result:
    """Run `stackpick ARGV` in this process with stdout and stderr captured."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return Result(code, out.getvalue(), err.getvalue())


def process(args: Sequence[str | bytes], cwd: Path, env: Mapping[str, str] | None = None,
            prefix: Sequence[str] = (), timeout: float = 120, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run `python -m stackpick ARGS` as its own process and wait for it."""
    full_env = {**os.environ, **(env or {})}
    cmd = [*prefix, sys.executable, "-m", "stackpick", *args]
    return subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout,
                          check=False, **kwargs)  # type: ignore[call-overload, no-any-return]


def unprivileged() -> list[str]:
    """A command prefix that takes root's permission bypass away (no capabilities); none for a user."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv (util-linux): cannot drop the permission bypass")
    return [setpriv, "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--"]


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under FOLDER (without following links): file bytes, link targets, folders."""
    found: dict[str, bytes | str] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            rel = str(path.relative_to(folder))
            if path.is_symlink():
                found[rel] = "-> " + os.readlink(path)
            elif path.is_dir():
                found[rel] = "dir"
            else:
                found[rel] = path.read_bytes()
    return found


def staging_leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.endswith(".stackpick"))
