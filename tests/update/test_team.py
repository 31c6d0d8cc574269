"""`stackpick new --template`: a team's own Copier template from a local git repository."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stackpick.cli import main
from tests.update.conftest import ANSWERS, commit_all, git, write

TEAM_COPIER = """\
_answers_file: .copier-answers.yml
_templates_suffix: .jinja
stack:
  type: str
  choices: [flask, django]
  default: flask
project_name:
  type: str
team_owner:
  type: str
  default: platform
"""
CMS = ["--data", "app_type=cms", "--data", "team_language=python", "--data", "needs_admin=true",
       "--data", "project_size=large", "--data", "project_name=Shop"]


@pytest.fixture
def team_template(tmp_path: Path) -> Path:
    repo = tmp_path / "team-template"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, {"copier.yml": TEAM_COPIER, "{{ _copier_conf.answers_file }}.jinja": ANSWERS,
                 "SERVICE.md.jinja": "{{ project_name }} on {{ stack }}, owned by {{ team_owner }}\n"})
    commit_all(repo, "1.0.0", "1.0.0")
    return repo


def test_team_template_gets_the_recommendation_and_only_its_own_answers(
        team_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "shop"
    argv = ["new", str(dest), "--template", str(team_template), "--defaults", *CMS, "-d", "team_owner=payments"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "django" in out.lower()  # the recommendation was shown
    assert (dest / "SERVICE.md").read_text() == "Shop on django, owned by payments\n"
    recorded = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert recorded["_src_path"] == str(team_template) and recorded["_commit"] == "1.0.0"
    assert set(recorded) == {"_src_path", "_commit", "stack", "project_name", "team_owner"}
    assert git(dest, "status", "--porcelain") == ""  # committed, ready to update


def test_team_template_project_checks_and_updates(team_template: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "shop"
    assert main(["new", str(dest), "--template", str(team_template), "--defaults", *CMS]) == 0
    assert main(["check", str(dest)]) == 0
    write(team_template, {"SERVICE.md.jinja": "{{ project_name }} ({{ stack }}), team {{ team_owner }}\n"})
    commit_all(team_template, "1.1.0", "1.1.0")
    capsys.readouterr()
    assert main(["check", str(dest)]) == 1
    assert "1.0.0 -> 1.1.0" in capsys.readouterr().out
    assert main(["update", str(dest)]) == 0
    assert (dest / "SERVICE.md").read_text() == "Shop (django), team platform\n"


def test_vcs_ref_picks_an_older_version(team_template: Path, tmp_path: Path) -> None:
    write(team_template, {"SERVICE.md.jinja": "v2\n"})
    commit_all(team_template, "2.0.0", "2.0.0")
    dest = tmp_path / "old"
    assert main(["new", str(dest), "--template", str(team_template), "--vcs-ref", "1.0.0",
                 "--defaults", *CMS]) == 0
    assert (dest / "SERVICE.md").read_text().startswith("Shop on django")


def test_a_template_with_tasks_needs_trust(team_template: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    write(team_template, {"copier.yml": TEAM_COPIER + "_tasks:\n  - touch task-ran\n"})
    commit_all(team_template, "tasks", "1.1.0")
    dest = tmp_path / "shop"
    assert main(["new", str(dest), "--template", str(team_template), "--defaults", *CMS]) == 1
    err = capsys.readouterr().err.strip()
    assert "re-run with --trust" in err and len(err.splitlines()) == 1
    assert not dest.exists()
    assert main(["new", str(dest), "--template", str(team_template), "--defaults", "--trust", *CMS]) == 0
    assert (dest / "task-ran").exists()


def test_a_template_without_stack_gets_no_recommendation(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "plain-template"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, {"copier.yml": "project_name:\n  type: str\n  default: lib\n",
                 "{{ _copier_conf.answers_file }}.jinja": ANSWERS, "NAME.jinja": "{{ project_name }}\n"})
    commit_all(repo, "0.1.0", "0.1.0")
    dest = tmp_path / "lib"
    assert main(["new", str(dest), "--template", str(repo), "--defaults"]) == 0
    assert "Recommended" not in capsys.readouterr().out
    assert (dest / "NAME").read_text() == "lib\n"
