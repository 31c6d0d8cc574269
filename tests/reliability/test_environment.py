"""Hostile environments: HOME and XDG variables, and a git set up to hook, sign, prompt or hang."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
import yaml

from stackpick import __version__, history, store
from tests.reliability.conftest import NEW, cli, staging_leftovers

GIT_NEW = ["--defaults", "--stack", "flask", "--data", "project_name=demo"]


@pytest.mark.parametrize("home", [None, "", "relative/home"], ids=["unset", "empty", "relative"])
def test_no_usable_home_writes_nothing_outside_dest(tmp_path: Path, home: str | None) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("HOME", "XDG_DATA_HOME")}
    if home is not None:
        env["HOME"] = home
    root_store = Path("/.local/share/stackpick")
    before = sorted((p.name, p.stat().st_mtime_ns) for p in root_store.iterdir()) if root_store.is_dir() else None
    result = subprocess.run([sys.executable, "-m", "stackpick", "new", "out", *NEW], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    shown = "unset" if home is None else repr(home)
    assert (result.returncode, result.stderr) == (1, (
        f"stackpick: error: HOME is {shown}: stackpick keeps its template store under your home folder; "
        "set HOME to it (an absolute path) and retry\n"))
    assert list(tmp_path.iterdir()) == []
    after = sorted((p.name, p.stat().st_mtime_ns) for p in root_store.iterdir()) if root_store.is_dir() else None
    assert after == before, "nothing written to /.local/share"


def test_a_relative_xdg_data_home_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", "data")
    assert store.store_path() == Path(os.environ["HOME"]) / ".local" / "share" / "stackpick" / "templates.bundle"
    assert cli("new", str(tmp_path / "out"), *NEW).code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_store_outside_home_is_recorded_portably(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home, data = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    result = cli("new", str(tmp_path / "out"), *NEW)
    assert result.code == 0, result.err
    answers = yaml.safe_load((tmp_path / "out" / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == "~/.local/share/stackpick/templates.bundle"
    assert (data / "stackpick" / "templates.bundle").is_file(), "the store is where XDG_DATA_HOME says"
    assert (home / ".local" / "share" / "stackpick" / "templates.bundle").is_file(), \
        "and a copy where the project records it, for plain `copier update`"
    assert cli("check", str(tmp_path / "out")).code == 0


@pytest.fixture
def hostile_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A global git config whose hooks fail and whose signing would wait for a passphrase forever."""
    hooks, marker = tmp_path / "hooks", tmp_path / "hook-ran"
    hooks.mkdir()
    for hook in ("pre-commit", "commit-msg", "post-commit", "prepare-commit-msg"):
        (hooks / hook).write_text(f"#!/bin/sh\necho {hook} >> {marker}\nexit 1\n")
        (hooks / hook).chmod(0o755)
    gpg = tmp_path / "gpg"
    gpg.write_text(f"#!/bin/sh\necho gpg >> {marker}\nsleep 600\n")
    gpg.chmod(0o755)
    config = tmp_path / "gitconfig"
    config.write_text(f"[core]\n\thooksPath = {hooks}\n[commit]\n\tgpgsign = true\n[tag]\n\tgpgsign = true\n"
                      f"[gpg]\n\tprogram = {gpg}\n[user]\n\tsigningkey = ABCDEF\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    return marker


def test_the_first_commit_skips_user_hooks_and_signing(tmp_path: Path, hostile_git: Path) -> None:
    result = cli("new", str(tmp_path / "out"), *GIT_NEW)
    assert result.code == 0, result.err
    assert not hostile_git.exists(), hostile_git.read_text() if hostile_git.exists() else ""
    show = subprocess.run(["git", "log", "-1", "--format=%G?%n%s"], cwd=tmp_path / "out", capture_output=True,
                          text=True, check=True, env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull})
    assert show.stdout.splitlines() == ["N", f"Generate demo with stackpick {__version__} (flask)"]


def test_without_a_git_identity_one_line_says_which_was_used(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "empty-gitconfig"))
    result = cli("new", str(tmp_path / "out"), *GIT_NEW, "--data", "author_name=Zoë Team")
    assert result.code == 0, result.err
    assert result.err == (
        "stackpick: note: git has no identity configured, so the first commit is by Zoë Team "
        "<stackpick@localhost>; set yours with `git config --global user.name NAME` and `git config --global "
        "user.email EMAIL`, then `git commit --amend --reset-author --no-edit` in the project\n")
    author = subprocess.run(["git", "log", "-1", "--format=%an <%ae>"], cwd=tmp_path / "out",
                            capture_output=True, text=True, check=True)
    assert author.stdout.strip() == "Zoë Team <stackpick@localhost>"


def test_a_git_that_hangs_is_stopped_and_nothing_is_left(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    real = subprocess.run(["sh", "-c", "command -v git"], capture_output=True, text=True, check=True).stdout.strip()
    (fake / "git").write_text(f'#!/bin/sh\nfor a in "$@"; do [ "$a" = commit ] && {{ sleep 600; exit 1; }}; done\n'
                              f'exec {real} "$@"\n')
    (fake / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:{os.environ['PATH']}")
    monkeypatch.setattr(history, "TIMEOUT", 3.0)
    result = cli("new", str(tmp_path / "work" / "out"), *GIT_NEW)
    assert result.code == 1
    assert result.one_line_error() == (
        "the first commit failed: git commit did not finish within 3 s (is it waiting for a password, a "
        "signing key, a hook or a server that does not answer?); nothing was written (--no-git skips git)")
    assert not (tmp_path / "work").exists(), "the folders made for DEST are removed too"
    sleepers = [p.pid for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] == ["sleep", "600"]]
    assert sleepers == [], "the hung git and what it started are killed"


def test_a_leaked_git_dir_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "other"
    subprocess.run(["git", "init", "-q", str(other)], check=True)
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    result = cli("new", str(tmp_path / "out"), *GIT_NEW)
    assert result.code == 0, result.err
    monkeypatch.delenv("GIT_DIR")
    monkeypatch.delenv("GIT_WORK_TREE")
    count = subprocess.run(["git", "rev-list", "--all", "--count"], cwd=other, capture_output=True, text=True,
                           check=True)
    assert count.stdout.strip() == "0", "nothing was committed into the repository GIT_DIR named"
    assert (tmp_path / "out" / ".git").is_dir()
    assert staging_leftovers(tmp_path) == []
