"""Every test runs on a private machine: its own HOME, XDG folders and git identity.

No test may read or write the real home (the template store, git config, npm and pip settings
live there). Caches that only speed things up (pip, npm, uv) stay shared through their own
variables, so the isolation costs no downloads.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

GIT_IDENTITY = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
                "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com"}


def _real_caches() -> dict[str, str]:
    """Download caches under the real home, kept so isolated tests do not re-download packages."""
    home = Path.home()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache")
    return {
        "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR") or str(cache / "pip"),
        "UV_CACHE_DIR": os.environ.get("UV_CACHE_DIR") or str(cache / "uv"),
        "NPM_CONFIG_CACHE": os.environ.get("NPM_CONFIG_CACHE") or str(home / ".npm"),
    }


@pytest.fixture(autouse=True, scope="session")
def private_machine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point HOME, XDG_* and git's global config at a session folder for the whole run."""
    home = tmp_path_factory.mktemp("home")
    saved = dict(os.environ)
    os.environ.update(_real_caches())
    os.environ.update({
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "COPIER_CACHE_DIR": str(home / ".cache" / "copier"),
        **GIT_IDENTITY,
    })
    try:
        yield home
    finally:
        os.environ.clear()
        os.environ.update(saved)
