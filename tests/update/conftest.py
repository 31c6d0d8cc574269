"""Fixtures for `update`, `check` and team templates: throwaway HOMEs and tiny template histories."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from stackpick import store
from tests.update.runner import use_history

GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com"}

COPIER_YML = """\
_subdirectory: "{{ stack }}"
_answers_file: .copier-answers.yml
_templates_suffix: .jinja
_skip_if_exists:
  - docs/decisions/0001-stack-choice.md
stack:
  type: str
  choices: [express, flask, django]
  default: flask
project_name:
  type: str
project_slug:
  type: str
  default: "{{ project_name | lower }}"
decision:
  type: yaml
  default: "{}"
  when: false
"""
ANSWERS = "{{ _copier_answers | to_nice_yaml }}"
README_V1 = "# {{ project_name }}\n\nRun it with make serve.\n\nDeploy it with docker.\n"
ADR = "# Stack choice\n\nChosen: {{ decision.chosen | default('unknown') }}\n"
APP = "def app():\n    return 'hello'\n"


def git(cwd: Path, *args: str) -> str:
    """Run git in CWD and return its output; fail the test with git's message."""
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout.strip()


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def commit_all(repo: Path, message: str, tag: str | None = None) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    if tag:
        git(repo, "tag", tag)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test runs under its own HOME: never the real data folder or git identity."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("COPIER_CACHE_DIR", str(tmp_path / "copier-cache"))
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    return home


@pytest.fixture
def source_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A stand-in for stackpick's own repository: templates/ at 0.1.0, read as the package's history."""
    repo = tmp_path / "stackpick-src"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo / "templates", {
        "copier.yml": COPIER_YML,
        **{f"{stack}/{{{{ _copier_conf.answers_file }}}}.jinja": ANSWERS for stack in ("flask", "django")},
        "flask/README.md.jinja": README_V1, "flask/app.py": APP,
        "flask/{{ project_slug }}/__init__.py": "",
        "flask/docs/decisions/0001-stack-choice.md.jinja": ADR,
        "django/README.md.jinja": README_V1, "django/manage.py": "print('django')\n",
        "django/docs/decisions/0001-stack-choice.md.jinja": ADR,
    })
    commit_all(repo, "templates 0.1.0", "v0.1.0")
    monkeypatch.setattr(store, "_source_bundle", store._source_bundle)  # restored after the test
    monkeypatch.setattr(store, "_checkout_fingerprint", store._checkout_fingerprint)
    use_history(repo)  # not stackpick's own checkout
    yield repo


@pytest.fixture
def release(source_repo: Path) -> Callable[[str, dict[str, str]], None]:
    """Publish a new template version: change template files, commit, tag vVERSION."""

    def publish(version: str, files: dict[str, str]) -> None:
        write(source_repo / "templates", files)
        commit_all(source_repo, f"templates {version}", f"v{version}")

    return publish


def snapshot(root: Path, *, with_git: bool = False) -> dict[str, tuple[bytes, bool]]:
    """Every file under ROOT (and under .git with WITH_GIT): content (or link target) and exec bit."""
    found: dict[str, tuple[bytes, bool]] = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if not with_git and ".git" in path.relative_to(root).parts:
            continue
        if path.is_symlink():
            found[name] = (str(path.readlink()).encode(), False)
        elif path.is_file():
            found[name] = (path.read_bytes(), bool(path.stat().st_mode & 0o100))
    return found


def status(project: Path) -> str:
    """`git status --porcelain` of PROJECT, unstripped (the first column matters)."""
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=project,
                          capture_output=True, text=True, check=True).stdout
