"""A team template run without a terminal behaves as stackpick's own questions do: exit 2 naming
every missing key; a question's default is taken only with --defaults."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from tests.reliability.conftest import cli

TEAM_COPIER = """\
_answers_file: .copier-answers.yml
_templates_suffix: .jinja
project_name:
  type: str
team_owner:
  type: str
  default: platform
database:
  type: str
  choices: [postgres, sqlite]
  when: false
  default: sqlite
queue:
  type: str
  when: "{{ team_owner == 'payments' }}"
region:
  type: str
  default: "{{ UNSET }}"
  when: "{{ team_owner == 'edge' }}"
"""


@pytest.fixture
def template(tmp_path: Path) -> Path:
    repo = tmp_path / "team-template"
    repo.mkdir()
    (repo / "copier.yml").write_text(TEAM_COPIER)
    (repo / "{{ _copier_conf.answers_file }}.jinja").write_text("{{ _copier_answers | to_nice_yaml }}")
    (repo / "OWNER.md.jinja").write_text("{{ project_name }} by {{ team_owner }}\n")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "v1"], ["tag", "1.0.0"]):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    return repo


@pytest.mark.parametrize(("extra", "message"), [
    ([], "missing answers for: project_name, team_owner (pass them with --data KEY=VALUE, or add --defaults "
         "to take the defaults)"),
    (["--defaults"], "missing answers for: project_name (they have no default; pass them with --data "
                     "KEY=VALUE)"),
    (["--defaults", "-d", "project_name=x", "-d", "team_owner=payments"],
     "missing answers for: queue (they have no default; pass them with --data KEY=VALUE)"),
    (["-d", "project_name=x"], "missing answers for: team_owner (pass them with --data KEY=VALUE, or add "
                               "--defaults to take the defaults)"),
    (["--defaults", "-d", "project_name=x", "-d", "team_owner=edge"],
     "missing answers for: region (they have no default; pass them with --data KEY=VALUE)"),
], ids=["nothing", "defaults", "conditional", "default-needs-flag", "copier-unset"])
def test_missing_answers_exit_2_naming_the_keys(template: Path, tmp_path: Path, extra: list[str],
                                                message: str) -> None:
    result = cli("new", str(tmp_path / "out"), "--template", str(template), "--no-git", *extra)
    assert result.code == 2
    assert result.one_line_error() == message
    assert not (tmp_path / "out").exists()


def test_defaults_fill_only_with_the_flag(template: Path, tmp_path: Path) -> None:
    result = cli("new", str(tmp_path / "out"), "--template", str(template), "--no-git", "--defaults",
                 "-d", "project_name=Shop")
    assert result.code == 0, result.err
    assert (tmp_path / "out" / "OWNER.md").read_text() == "Shop by platform\n"
    answers = yaml.safe_load((tmp_path / "out" / ".copier-answers.yml").read_text())
    assert answers["team_owner"] == "platform"
