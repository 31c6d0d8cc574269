"""A stop signal can neither leave a temporary folder behind nor cut its removal short.

The signal is sent from inside the very call it must not split (the folder's creation, its
removal), so each case is exact rather than timed; the handler raises, as the CLI's does.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from stackpick import shield


class Stopped(Exception):
    pass


@pytest.fixture(autouse=True)
def raising_handler() -> Iterator[None]:
    def stop(signum: int, frame: object) -> None:
        raise Stopped(signum)

    previous = signal.signal(signal.SIGTERM, stop)
    yield
    signal.signal(signal.SIGTERM, previous)


def signalled(call: Callable[..., Any], *, before: bool) -> Callable[..., Any]:
    """CALL, with a SIGTERM to this process just before it starts or just after it returns."""
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if before:
            os.kill(os.getpid(), signal.SIGTERM)
        result = call(*args, **kwargs)
        if not before:
            os.kill(os.getpid(), signal.SIGTERM)
        return result
    return wrapped


def test_a_signal_once_the_folder_exists_finds_its_removal_armed(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "mkdtemp", signalled(tempfile.mkdtemp, before=False))
    with pytest.raises(Stopped), shield.temporary_folder(tmp_path, prefix="stage."):
        pytest.fail("the block must not start once a stop signal came")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("ending", ["returns", "raises"])
def test_a_signal_during_the_removal_waits_for_it_to_finish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            ending: str) -> None:
    monkeypatch.setattr(shutil, "rmtree", signalled(shutil.rmtree, before=True))
    with pytest.raises(Stopped), shield.temporary_folder(tmp_path, prefix="stage.") as folder:
        (folder / "deep" / "er").mkdir(parents=True)
        (folder / "deep" / "er" / "file").write_text("x")
        if ending == "raises":
            raise ValueError("the block failed; its clean-up is then interrupted")
    assert list(tmp_path.iterdir()) == []


def test_held_delivers_the_signal_when_the_block_ends() -> None:
    reached = []
    with pytest.raises(Stopped), shield.held():
        os.kill(os.getpid(), signal.SIGTERM)
        reached.append("end of block")
    assert reached == ["end of block"]


def test_shielded_records_instead_of_raising_then_and_after() -> None:
    with shield.shielded() as caught:
        os.kill(os.getpid(), signal.SIGTERM)
        assert caught == []
    assert caught == [signal.SIGTERM]
    os.kill(os.getpid(), signal.SIGTERM)  # the step is done: later ones are recorded too
    assert caught == [signal.SIGTERM, signal.SIGTERM]
