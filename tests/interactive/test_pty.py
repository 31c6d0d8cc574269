"""`stackpick new` driven through a real pseudo-terminal: arrow keys and enter, as a person types."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest
import yaml

UP, DOWN, ENTER = "\x1b[A", "\x1b[B", "\r"


def spawn(args: list[str], cwd: Path, home: Path) -> pexpect.spawn:
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share"),
           "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    env.pop("CI", None)
    child = pexpect.spawn(sys.executable, ["-m", "stackpick", *args], cwd=str(cwd), env=env,
                          encoding="utf-8", timeout=60, dimensions=(40, 120))
    return child


def answer(child: pexpect.spawn, prompt: str, keys: str) -> None:
    child.expect_exact(prompt)
    child.send(keys)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    (path / ".gitconfig").write_text("[user]\n\tname = Pty Tester\n\temail = pty@example.invalid\n")
    return path


def test_new_accepting_the_recommendation(tmp_path: Path, home: Path) -> None:
    child = spawn(["new", "chat-app"], tmp_path, home)
    answer(child, "What are you building?", UP * 4 + ENTER)  # rest_api -> realtime
    answer(child, "Which language is your team strongest in?", UP * 2 + ENTER)  # both -> javascript
    answer(child, "How many simultaneous connections at peak?", DOWN * 2 + ENTER)  # low -> high
    answer(child, "heavy computation?", "n")
    answer(child, "admin panel", "n")
    answer(child, "Expected scope of the codebase?", ENTER)
    answer(child, "Python data or ML libraries?", "n")
    child.expect_exact("Recommended: Express (Node.js)")
    answer(child, "Which stack?", ENTER)
    answer(child, "Project name?", ENTER)  # default: the destination's name
    answer(child, "Package name?", ENTER)
    answer(child, "One-line description?", ENTER)
    answer(child, "Author or team?", ENTER)
    child.expect_exact("Rendering the express template")  # progress shows on a terminal
    child.expect_exact("Next steps:")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before

    project = tmp_path / "chat-app"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["app_type"] == "realtime"
    assert answers["team_language"] == "javascript"
    assert answers["concurrency"] == "high"
    assert answers["stack"] == "express" and answers["project_slug"] == "chat-app"
    assert (project / ".git").is_dir(), "new initialises a git repository"
    adr = (project / "docs" / "decisions" / "0001-stack-choice.md").read_text().splitlines()
    assert "| Node.js + Express (`express`) | 28 | recommended, chosen |" in adr
    assert "This follows stackpick's recommendation. The runner-up was" in adr


def test_new_overriding_the_recommendation(tmp_path: Path, home: Path) -> None:
    child = spawn(["new", "shop", "--no-git"], tmp_path, home)
    answer(child, "What are you building?", DOWN * 3 + ENTER)  # rest_api -> ecommerce
    answer(child, "Which language is your team strongest in?", UP + ENTER)  # both -> python
    answer(child, "How many simultaneous connections at peak?", ENTER)
    answer(child, "heavy computation?", "n")
    answer(child, "admin panel", "y")
    answer(child, "Expected scope of the codebase?", DOWN + ENTER)
    answer(child, "Python data or ML libraries?", "n")
    child.expect_exact("Recommended: Django (Python)")
    child.expect_exact("Where the articles disagree")  # e-commerce is filed differently
    answer(child, "Which stack?", UP + ENTER)  # django -> flask: an override
    child.expect_exact("Overriding the recommendation: flask instead of django")
    answer(child, "Project name?", "\x15My Shop" + ENTER)  # Ctrl-U clears the default first
    answer(child, "Package name?", ENTER)
    answer(child, "One-line description?", ENTER)
    answer(child, "Author or team?", ENTER)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before

    project = tmp_path / "shop"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert (answers["stack"], answers["project_slug"], answers["needs_admin"]) == ("flask", "my_shop", True)
    assert not (project / ".git").exists()
    adr = (project / "docs" / "decisions" / "0001-stack-choice.md").read_text().splitlines()
    assert "| Python + Flask (`flask`) | 6 | runner-up, chosen |" in adr
    assert "This **overrides** stackpick's recommendation, which was Python + Django" in adr
    assert "(`django`). The runner-up was Python + Flask (`flask`), the stack chosen here." in adr


def test_ctrl_c_at_a_prompt_writes_nothing(tmp_path: Path, home: Path) -> None:
    child = spawn(["new", "gone"], tmp_path, home)
    child.expect_exact("What are you building?")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in (child.before or "")
    assert not (tmp_path / "gone").exists()
