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


CTRL_D, CTRL_U = "\x04", "\x15"


def to_the_yes_no_questions(child: pexpect.spawn) -> None:
    for prompt in ("What are you building?", "Which language is your team strongest in?",
                   "How many simultaneous connections at peak?"):
        answer(child, prompt, ENTER)


def expect_interrupted(child: pexpect.spawn, folder: Path) -> None:
    child.expect_exact("stackpick: error: interrupted: nothing was written")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in (child.before or "")
    assert not folder.exists()


def test_yes_no_questions_show_the_hint_and_ctrl_d_exits_130(tmp_path: Path, home: Path) -> None:
    child = spawn(["new", "gone"], tmp_path, home)
    to_the_yes_no_questions(child)
    child.expect_exact("Does a typical request do heavy computation?")
    child.expect_exact("(y/N, default: no)")
    child.send(CTRL_D)
    expect_interrupted(child, tmp_path / "gone")


def test_ctrl_d_at_an_empty_text_prompt_exits_130(tmp_path: Path, home: Path) -> None:
    child = spawn(["new", "gone", "--stack", "flask", "--data", "app_type=cms", "--data", "team_language=python",
                   "--data", "concurrency=low", "--data", "cpu_heavy=no", "--data", "needs_admin=no",
                   "--data", "project_size=small", "--data", "ml_libraries=no"], tmp_path, home)
    answer(child, "Project name?", CTRL_U)  # clear the suggested name, then close the input
    child.send(CTRL_D)
    expect_interrupted(child, tmp_path / "gone")


def test_data_ml_defaults_ml_libraries_to_yes(tmp_path: Path, home: Path) -> None:
    child = spawn(["new", "model"], tmp_path, home)
    answer(child, "What are you building?", DOWN * 5 + ENTER)  # rest_api -> data_ml
    answer(child, "Which language is your team strongest in?", ENTER)
    answer(child, "How many simultaneous connections at peak?", ENTER)
    answer(child, "heavy computation?", ENTER)
    answer(child, "admin panel", ENTER)
    answer(child, "Expected scope of the codebase?", ENTER)
    child.expect_exact("Will you use Python data or ML libraries?")
    child.expect_exact("(Y/n, default: yes)")
    child.send(ENTER)
    child.expect_exact("Yes")
    child.expect_exact("Which stack?")
    child.sendintr()
    expect_interrupted(child, tmp_path / "model")


def test_a_bad_slug_at_the_prompt_says_what_to_type(tmp_path: Path, home: Path) -> None:
    child = spawn(["new", "shop", "--stack", "flask", "--data", "app_type=cms", "--data", "team_language=python",
                   "--data", "concurrency=low", "--data", "cpu_heavy=no", "--data", "needs_admin=no",
                   "--data", "project_size=small", "--data", "ml_libraries=no"], tmp_path, home)
    answer(child, "Project name?", CTRL_U + "日本" + ENTER)
    answer(child, "Package name?", ENTER)  # the derived slug is empty: no ASCII letters
    child.expect_exact("type a package name in lowercase ASCII, e.g. my_service")
    child.send("--data" + ENTER)
    child.expect_exact("is not a valid Python package name")
    child.send(CTRL_U + "nihon" + ENTER)
    answer(child, "One-line description?", ENTER)
    child.expect_exact("Author or team?")
    child.sendintr()
    expect_interrupted(child, tmp_path / "shop")
    assert "pass --data" not in (child.before or "")


@pytest.mark.parametrize("key", ["\x03", CTRL_D], ids=["ctrl-c", "ctrl-d"])
def test_interrupting_a_team_template_question_exits_130(tmp_path: Path, home: Path, key: str) -> None:
    template = tmp_path / "team"
    template.mkdir()
    (template / "copier.yml").write_text("owner:\n  type: str\n  help: Which team owns it?\n")
    (template / "OWNER.md.jinja").write_text("{{ owner }}\n")
    child = spawn(["new", "svc", "--template", str(template), "--no-git"], tmp_path, home)
    child.expect_exact("Which team owns it?")
    child.send(key)
    expect_interrupted(child, tmp_path / "svc")
