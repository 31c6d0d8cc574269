"""Destinations that are not plain folders, races for one DEST, and --force on the edge."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from stackpick import copier_adapter, destination
from stackpick.errors import RenderError
from tests.reliability.conftest import NEW, cli, process, snapshot, staging_leftovers, unprivileged

FORCE = [*NEW, "--force"]


def test_a_link_to_an_empty_folder_renders_into_that_folder(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to("real")
    result = cli("new", str(tmp_path / "link"), *NEW)
    assert result.code == 0, result.err
    assert os.readlink(tmp_path / "link") == "real", "the link itself stays"
    assert (tmp_path / "real" / ".copier-answers.yml").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]


def _dangling(d: Path) -> None:
    (d / "dest").symlink_to("nowhere")


def _loop(d: Path) -> None:
    (d / "dest").symlink_to("dest")


def _file(d: Path) -> None:
    (d / "dest").write_text("mine")


@pytest.mark.parametrize(("make", "target", "message"), [
    (_dangling, "dest", "{d}/dest is a symbolic link to nowhere, which does not exist; create that folder "
                        "first or pick another destination"),
    (_loop, "dest", "{d}/dest is a symbolic link to dest, which does not exist; create that folder first or "
                    "pick another destination"),
    (_file, "dest", "{d}/dest exists and is not a folder; pick another destination"),
    (_file, "dest/deep/er", "cannot create {d}/dest/deep/er: {d}/dest is a file, not a folder"),
], ids=["dangling-link", "link-loop", "file", "file-in-the-way"])
def test_destinations_that_cannot_be_folders_are_refused_first(
        tmp_path: Path, make: Callable[[Path], None], target: str, message: str) -> None:
    make(tmp_path)
    before = snapshot(tmp_path)
    result = cli("new", str(tmp_path / target), *NEW)
    assert result.code == 2
    assert result.one_line_error() == message.format(d=tmp_path)
    assert result.out == "", "refused before any question or recommendation"
    assert snapshot(tmp_path) == before


def test_a_read_only_parent_is_refused_in_one_line_without_root_bypass(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "existing").mkdir()
    (locked / "existing" / "notes.md").write_text("mine")
    (locked / "existing").chmod(0o555)
    locked.chmod(0o555)
    try:
        for dest, extra in ((locked / "a" / "b" / "new", []), (locked / "existing", ["--force"])):
            result = process(["new", str(dest), *NEW, *extra], cwd=tmp_path, prefix=unprivileged())
            folder = locked if not extra else locked / "existing"
            assert result.returncode == 2, result.stderr
            assert result.stderr == (f"stackpick: error: cannot create {dest}: {folder} is not writable "
                                     "(permission denied or a read-only file system); pick a destination "
                                     "you can write to\n")
        assert snapshot(locked) == {"existing": "dir", "existing/notes.md": b"mine"}
    finally:
        (locked / "existing").chmod(0o755)
        locked.chmod(0o755)


def test_a_deep_destination_that_fails_removes_only_the_folders_it_made(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "kept").mkdir()

    def failing_copy(src: str, dst: Path, *args: object, **kwargs: object) -> None:
        dst.mkdir()
        (dst / "half.txt").write_text("half")
        raise RenderError("rendering failed: No space left on device")

    monkeypatch.setattr(copier_adapter, "copy", failing_copy)
    result = cli("new", str(tmp_path / "kept" / "a" / "b" / "c" / "dest"), *NEW)
    assert result.code == 1
    assert result.one_line_error() == "rendering failed: No space left on device"
    assert snapshot(tmp_path) == {"kept": "dir"}


def test_of_racing_runs_for_one_destination_exactly_one_wins(tmp_path: Path) -> None:
    dest = tmp_path / "svc"
    args = ["new", str(dest), "--defaults", "--stack", "express", "--data", "project_name=svc"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    runs = [subprocess.Popen([sys.executable, "-m", "stackpick", *args], cwd=tmp_path, env=env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(4)]
    results = [(run.wait(timeout=180), run.communicate()[1]) for run in runs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2, 2, 2], results
    for code, err in results:
        if code == 2:
            assert err.startswith((f"stackpick: error: {dest} was taken while stackpick was rendering",
                                   f"stackpick: error: {dest} is not empty")), err
            assert len(err.strip().splitlines()) == 1, err
    assert staging_leftovers(tmp_path) == []
    log = subprocess.run(["git", "log", "--oneline"], cwd=dest, capture_output=True, text=True, check=True)
    assert len(log.stdout.splitlines()) == 1
    status = subprocess.run(["git", "status", "--porcelain"], cwd=dest, capture_output=True, text=True, check=True)
    assert status.stdout == "", "the winner's project is whole: nothing of the losers in it"


@pytest.fixture
def user_folder(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A non-empty DEST and, beside it, a folder outside DEST that a link inside DEST points to."""
    dest, outside = tmp_path / "dest", tmp_path / "outside"
    dest.mkdir()
    outside.mkdir()
    (dest / "notes.md").write_text("my notes\n")
    yield dest, outside


@pytest.mark.parametrize(("link", "target", "shown"), [
    ("docs", "../outside", "docs (a symbolic link)"),
    (".github", "../outside", ".github (a symbolic link)"),
    ("README.md", "../outside/readme.md", "README.md (a symbolic link)"),
    ("Makefile", "notes.md", "Makefile (a symbolic link)"),
], ids=["folder-out", "dot-folder-out", "file-out", "file-in"])
def test_force_never_follows_a_link(user_folder: tuple[Path, Path], link: str, target: str, shown: str) -> None:
    dest, outside = user_folder
    (dest / link).symlink_to(target)
    before, outside_before = snapshot(dest), snapshot(outside)
    result = cli("new", str(dest), *FORCE)
    assert result.code == 2
    message = result.one_line_error()
    assert message.startswith(f"{dest} already has files the template would change ({shown}")
    assert snapshot(dest) == before and snapshot(outside) == outside_before
    assert staging_leftovers(dest.parent) == []


def test_force_takes_back_what_it_placed_when_a_step_fails(user_folder: tuple[Path, Path],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    dest, _ = user_folder
    (dest / "docs").mkdir()
    (dest / "docs" / "mine.md").write_text("mine")
    before = snapshot(dest)
    real_link, calls = os.link, []

    def link(src: str, dst: str, **kwargs: object) -> None:
        calls.append(dst)
        if len(calls) == 20:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_link(src, dst, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(destination.os, "link", link)
    result = cli("new", str(dest), *FORCE)
    assert result.code == 2
    assert result.one_line_error().startswith(f"cannot add the template's files to {dest} (No space left on "
                                              "device at ")
    assert len(calls) == 20
    assert snapshot(dest) == before, "every file and folder placed before the failure was taken back"
    assert staging_leftovers(dest.parent) == []


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs, nearly full (root only: mounting needs it)."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root (CI runs as root); the placement rollback test "
                    "above covers the same failure by injection")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_force_on_a_full_disk_leaves_dest_as_it_was(small_disk: Path) -> None:
    dest = small_disk / "dest"
    dest.mkdir()
    (dest / "notes.md").write_text("my notes\n")
    filler = small_disk / "filler"
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    filler.write_bytes(b"\0" * (free - 48 * 1024))  # room for a few template files, not for all
    before = snapshot(dest)
    result = cli("new", str(dest), *FORCE)
    assert result.code == 1
    assert "No space left on device" in result.one_line_error()
    assert snapshot(dest) == before
    assert sorted(p.name for p in small_disk.iterdir()) == ["dest", "filler"]
    filler.unlink()
    assert cli("new", str(small_disk / "deep" / "er" / "dest"), *NEW).code == 0, "room again: it works"
