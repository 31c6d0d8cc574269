"""`stackpick new --template`: a team's own Copier template from a local git repository."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from stackpick import history, present, repository
from stackpick.cli import main
from stackpick.recommendation import recommend, with_defaults
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
    shown = present.recommendation(recommend(with_defaults({"app_type": "cms", "team_language": "python",
                                                            "needs_admin": True, "project_size": "large"})))
    assert out.startswith(shown + "\n\n")  # the recommendation was shown, whole
    assert shown.splitlines()[0] == "Recommended: Django (Python)"
    assert out.splitlines()[-1] == (f"Done: {dest} is ready (template {team_template}). `stackpick check {dest}` "
                                    "tells when it is behind.")
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
    assert capsys.readouterr().out == (
        f"{dest}: behind: template version 1.0.0 -> 1.1.0 would change 1 file(s) (run `stackpick update "
        "--dry-run` to see them, `stackpick update` to merge)\n")
    assert main(["update", str(dest)]) == 0
    assert (dest / "SERVICE.md").read_text() == "Shop (django), team platform\n"


def test_vcs_ref_picks_an_older_version(team_template: Path, tmp_path: Path) -> None:
    write(team_template, {"SERVICE.md.jinja": "v2\n"})
    commit_all(team_template, "2.0.0", "2.0.0")
    dest = tmp_path / "old"
    assert main(["new", str(dest), "--template", str(team_template), "--vcs-ref", "1.0.0",
                 "--defaults", *CMS]) == 0
    assert (dest / "SERVICE.md").read_text().startswith("Shop on django")


def test_an_unknown_vcs_ref_or_a_file_is_refused_in_one_line(team_template: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "old"
    assert main(["new", str(dest), "--template", str(team_template), "--vcs-ref", "9.9.9", "--defaults", *CMS]) == 2
    assert capsys.readouterr().err == (f"stackpick: error: --vcs-ref 9.9.9: the template {team_template} has no "
                                       "such tag or commit (its newest tags: 1.0.0)\n")
    assert main(["new", str(dest), "--template", str(team_template / "copier.yml"), "--defaults", *CMS]) == 2
    assert capsys.readouterr().err == (f"stackpick: error: --template {team_template / 'copier.yml'} is a file; "
                                       "pass a template folder, a git repository or a git URL\n")
    assert not dest.exists()


def test_a_template_with_tasks_needs_trust(team_template: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    write(team_template, {"copier.yml": TEAM_COPIER + "_tasks:\n  - touch task-ran\n"})
    commit_all(team_template, "tasks", "1.1.0")
    dest = tmp_path / "shop"
    assert main(["new", str(dest), "--template", str(team_template), "--defaults", *CMS]) == 1
    assert capsys.readouterr().err == (f"stackpick: error: the template at {team_template} uses tasks, migrations "
                                       "or Jinja extensions, which run code on your machine; re-run with --trust "
                                       "if you trust it\n")
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


@pytest.fixture
def served(team_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    """The team template behind a URL (file://, which git and Copier treat as remote), that goes away
    as soon as stackpick has fetched it: any git call Copier made to the URL itself would fail."""
    bare = tmp_path / "served" / "team.git"
    git(tmp_path, "clone", "-q", "--bare", str(team_template), str(bare))
    hidden = tmp_path / "hidden.git"
    real_run = repository.run

    def run_then_hide(cwd: Path, *args: str, **kwargs: object) -> bytes:
        out = real_run(cwd, *args, **kwargs)  # type: ignore[arg-type]
        if args[:3] == ("clone", "--quiet", "--mirror"):
            bare.rename(hidden)
        return out

    monkeypatch.setattr(repository, "run", run_then_hide)
    yield f"file://{bare}", hidden
    if hidden.exists():
        hidden.rename(bare)


def test_a_remote_template_is_fetched_once_and_copier_reads_the_copy(
        served: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url, hidden = served
    dest = tmp_path / "shop"
    assert main(["new", str(dest), "--template", url, "--defaults", *CMS]) == 0
    assert (dest / "SERVICE.md").read_text() == "Shop on django, owned by platform\n"
    recorded = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert (recorded["_src_path"], recorded["_commit"]) == (url, "1.0.0")  # the URL, not the local copy
    bare = Path(url.removeprefix("file://"))
    assert hidden.is_dir() and not bare.exists(), "stackpick fetched the template; Copier read that copy"
    hidden.rename(bare)
    clone = tmp_path / "publisher"
    git(tmp_path, "clone", "-q", str(bare), str(clone))
    write(clone, {"SERVICE.md.jinja": "{{ project_name }} ({{ stack }}), team {{ team_owner }}\n"})
    commit_all(clone, "1.1.0", "1.1.0")
    git(clone, "push", "-q", "--tags", "origin", "HEAD:main")
    capsys.readouterr()
    assert main(["update", str(dest)]) == 0  # versions from the URL, the merge from the fetched copy
    assert (dest / "SERVICE.md").read_text() == "Shop (django), team platform\n"
    assert hidden.is_dir() and not bare.exists()
    assert yaml.safe_load((dest / ".copier-answers.yml").read_text())["_src_path"] == url


@pytest.fixture
def silent_server() -> Iterator[str]:
    """An HTTP URL whose server accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/team.git"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_template_server_that_never_answers_is_given_up_in_one_line(
        silent_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        team_template: Path) -> None:
    monkeypatch.setattr(history, "TIMEOUT", 2.0)
    dest = tmp_path / "shop"
    assert main(["new", str(dest), "--template", silent_server, "--defaults", *CMS]) == 1
    assert capsys.readouterr().err == (
        f"stackpick: error: cannot fetch the template {silent_server}: git clone did not finish within 2 s (is "
        "it waiting for a password, a signing key, a hook or a server that does not answer?)\n")
    assert not dest.exists()
    assert main(["new", str(dest), "--template", str(team_template), "--defaults", *CMS]) == 0
    answers = dest / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace(f"_src_path: {team_template}", f"_src_path: {silent_server}"))
    commit_all(dest, "moved template")
    capsys.readouterr()
    for command in ("check", "update"):
        assert main([command, str(dest)]) == (2 if command == "check" else 1)
        assert capsys.readouterr().err == (
            f"stackpick: error: cannot list the versions of {silent_server}: git ls-remote did not finish "
            "within 2 s (is it waiting for a password, a signing key, a hook or a server that does not answer?)\n")
