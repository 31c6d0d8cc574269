"""One `stackpick serve` for the whole session (API, archive and browser tests share it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.client import WebServer, start


@pytest.fixture(scope="session")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """The default server: 2 render processes, 32 renders accepted at once."""
    with start(tmp_path_factory.mktemp("serve"), "--workers", "2") as server:
        yield server
