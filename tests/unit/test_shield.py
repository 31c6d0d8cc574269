"""A stop signal can neither leave a temporary folder behind nor cut its removal short.

The signal is sent from inside the very call it must not split (the folder's creation, its
removal), so each case is exact rather than timed; the handler raises, as the CLI's does.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
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


def _aged(folder: Path, seconds: float = 2 * shield.ABANDONED_AFTER) -> Path:
    """FOLDER with its lock file's time set SECONDS back."""
    then = time.time() - seconds
    os.utime(folder / shield.LOCK, (then, then))
    return folder


def _left_by_a_killed_run(parent: Path, name: str) -> Path:
    folder = parent / name
    (folder / "project" / "src").mkdir(parents=True)
    (folder / "project" / "src" / "app.py").write_text("half a render\n")
    (folder / shield.LOCK).touch()
    return folder


def test_abandoned_folders_are_removed_and_live_or_foreign_ones_kept(tmp_path: Path) -> None:
    killed = _aged(_left_by_a_killed_run(tmp_path, ".demo.a1.stackpick"))
    starting = _left_by_a_killed_run(tmp_path, ".demo.b2.stackpick")  # lock too young: a run may be starting
    unlocked = tmp_path / ".demo.c3.stackpick"  # no lock file: not ours to judge
    unlocked.mkdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / shield.LOCK).touch()
    _aged(outside)
    (tmp_path / ".link.d4.stackpick").symlink_to(outside)
    mine = tmp_path / "mine.stackpick"  # does not match the pattern
    mine.mkdir()
    with shield.temporary_folder(tmp_path, prefix=".other.", suffix=".stackpick", locked=True) as live:
        _aged(live)
        assert shield.remove_abandoned(tmp_path, ".*.stackpick") == [killed]
        assert live.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".demo.b2.stackpick", ".demo.c3.stackpick", ".link.d4.stackpick", "elsewhere", "mine.stackpick"]
    assert (starting / "project" / "src" / "app.py").is_file() and (outside / shield.LOCK).is_file()
