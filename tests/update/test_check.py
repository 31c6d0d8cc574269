"""`stackpick check` tells the truth: behind only when a newer version changes this project's files;
unresolved conflicts, an unknown recorded version and an interrupted update are errors (exit 2)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from stackpick.cli import main
from tests.update.conftest import README_V1, commit_all, git, write

Release = Callable[[str, dict[str, str]], None]


@pytest.fixture
def project(tmp_path: Path, source_repo: Path) -> Path:
    dest = tmp_path / "demo"
    assert main(["new", str(dest), "--defaults", "--data", "project_name=demo", "--stack", "flask"]) == 0
    return dest


def test_a_change_to_another_stack_is_not_behind(project: Path, release: Release,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    release("0.2.0", {"django/README.md.jinja": README_V1 + "\nDjango only.\n"})
    capsys.readouterr()
    assert main(["check", str(project)]) == 0
    assert capsys.readouterr().out == (
        f"{project}: up to date: template version 0.2.0 changes nothing in this project (it records "
        "0.1.0; `stackpick update` records the new version)\n")
    assert main(["check", str(project), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["behind"], report["would_change"], report["would_conflict"]) == (False, [], [])
    assert not (project / ".git" / "stackpick").exists()


def test_behind_names_what_would_change(project: Path, release: Release,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    readme = project / "README.md"
    readme.write_text(readme.read_text().replace("make serve", "make dev"))
    commit_all(project, "my readme")
    release("0.2.0", {"flask/README.md.jinja": README_V1.replace("make serve", "gunicorn"),
                      "flask/NEW.md": "new\n"})
    capsys.readouterr()
    assert main(["check", str(project)]) == 1
    assert capsys.readouterr().out == (
        f"{project}: behind: template version 0.1.0 -> 0.2.0 would change 2 file(s), 1 with conflicts "
        "(run `stackpick update --dry-run` to see them, `stackpick update` to merge)\n")
    assert main(["check", str(project), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["would_change"], report["would_conflict"]) == (["NEW.md", "README.md"], ["README.md"])


def test_conflicts_left_by_an_update_are_an_error_until_resolved(
        project: Path, release: Release, capsys: pytest.CaptureFixture[str]) -> None:
    readme = project / "README.md"
    readme.write_text(readme.read_text().replace("make serve", "make dev"))
    commit_all(project, "my readme")
    release("0.2.0", {"flask/README.md.jinja": README_V1.replace("make serve", "gunicorn")})
    assert main(["update", str(project)]) == 3
    capsys.readouterr()
    unresolved = (f"stackpick: error: {project} has unresolved conflicts from the last update in 1 file(s): "
                  "README.md; resolve the <<<<<<< markers, `git add` the files and commit, then retry\n")
    assert main(["check", str(project)]) == 2
    assert capsys.readouterr().err == unresolved
    git(project, "add", "README.md")  # staged, but the markers are still in the file
    assert main(["check", str(project)]) == 2
    assert capsys.readouterr().err == unresolved
    assert main(["update", str(project)]) == 1
    assert capsys.readouterr().err == unresolved
    readme.write_text(readme.read_text().replace(
        "<<<<<<< before updating\nRun it with make dev.\n=======\n", "").replace(">>>>>>> after updating\n", ""))
    commit_all(project, "resolved")
    assert main(["check", str(project)]) == 0
    assert capsys.readouterr().out == f"{project}: up to date (template version 0.2.0)\n"


def test_a_version_the_template_does_not_have_is_an_error(project: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("_commit: 0.1.0", "_commit: 9.9.9"))
    commit_all(project, "tampered")
    capsys.readouterr()
    assert main(["check", str(project)]) == 2
    assert capsys.readouterr().err == (
        "stackpick: error: .copier-answers.yml records template version 9.9.9, which the template "
        "~/.local/share/stackpick/templates.bundle does not have (its newest versions: 0.1.0); set _commit "
        "in .copier-answers.yml to the version the project was generated from\n")
    assert main(["update", str(project)]) == 1


def test_marker_like_lines_in_user_files_are_no_conflict(project: Path, release: Release,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    how_to = "Resolving looks like this:\n<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> branch\n"
    write(project, {"docs/git.md": how_to,
                    "README.md": (project / "README.md").read_text().replace("Deploy it", how_to + "Deploy it")})
    commit_all(project, "git docs")
    release("0.2.0", {"flask/README.md.jinja": README_V1.replace("make serve", "gunicorn")})
    capsys.readouterr()
    assert main(["update", str(project), "--dry-run"]) == 0
    assert capsys.readouterr().out == (
        f"Dry run: updating {project} from template version 0.1.0 to 0.2.0 would change 2 file(s):\n"
        "  updated   .copier-answers.yml\n  merged    README.md\n"
        "Nothing was written; `stackpick update` applies exactly this.\n")
    assert main(["update", str(project)]) == 0
    assert capsys.readouterr().out == (
        f"Updated {project} from template version 0.1.0 to 0.2.0: 2 file(s) changed.\n"
        "  updated   .copier-answers.yml\n  merged    README.md\n"
        "Review with `git diff`, run the tests, then commit.\n")
    assert how_to in (project / "README.md").read_text() and "gunicorn" in (project / "README.md").read_text()
    commit_all(project, "updated")
    assert main(["check", str(project)]) == 0


def test_equal_versions_skip_the_merge(project: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    from stackpick import merge

    def no_merge(*args: object, **kwargs: object) -> None:
        raise AssertionError("check ran the merge although the versions are equal")

    monkeypatch.setattr(merge, "compute", no_merge)
    capsys.readouterr()
    assert main(["check", str(project), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "path": str(project), "template": "~/.local/share/stackpick/templates.bundle", "current": "0.1.0",
        "latest": "0.1.0", "behind": False, "would_change": [], "would_conflict": []}
