"""`stackpick update --dry-run`: the same merge, nothing written anywhere in the project, and a
per-file prediction that the real update then matches exactly, conflicts included."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from stackpick.cli import main
from tests.update.conftest import APP, README_V1, commit_all, git, snapshot, status, write

Release = Callable[[str, dict[str, str]], None]


@pytest.fixture
def project(tmp_path: Path, source_repo: Path, release: Release) -> Path:
    """A 0.1.0 project with edits, and a 0.2.0 that adds, removes, merges and conflicts."""
    write(source_repo / "templates", {"flask/old.txt": "retired\n"})
    commit_all(source_repo, "old.txt", "v0.1.1")
    dest = tmp_path / "demo"
    assert main(["new", str(dest), "--defaults", "--data", "project_name=demo", "--stack", "flask"]) == 0
    write(dest, {"app.py": APP + "\n\ndef users_own_route():\n    return 'mine'\n",
                 "README.md": (dest / "README.md").read_text().replace("make serve", "make dev")})
    commit_all(dest, "my edits")
    (source_repo / "templates/flask/old.txt").unlink()
    release("0.2.0", {"flask/README.md.jinja": README_V1.replace("make serve", "gunicorn"),
                      "flask/app.py": '"""The app."""\n' + APP, "flask/deploy/k8s/app.yaml": "kind: Deployment\n"})
    return dest


def test_dry_run_writes_nothing_and_predicts_the_update_exactly(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(project, with_git=True)
    capsys.readouterr()
    assert main(["update", str(project), "--dry-run", "--json"]) == 3
    captured = capsys.readouterr()
    predicted = json.loads(captured.out)
    assert snapshot(project, with_git=True) == before  # index, refs, objects and every file
    assert captured.err == ("stackpick: error: the update would leave conflicts in 1 file(s): README.md; "
                            "nothing was written\n")
    assert predicted["files"] == [
        {"path": ".copier-answers.yml", "status": "updated"},
        {"path": "README.md", "status": "conflict"},
        {"path": "app.py", "status": "merged"},
        {"path": "deploy/k8s/app.yaml", "status": "added"},
        {"path": "old.txt", "status": "removed"},
    ]
    assert (predicted["from"], predicted["to"], predicted["applied"]) == ("0.1.1", "0.2.0", False)

    assert main(["update", str(project), "--json"]) == 3
    done = json.loads(capsys.readouterr().out)
    assert done["files"] == predicted["files"] and done["conflicts"] == ["README.md"] and done["applied"]
    assert status(project) == (" M .copier-answers.yml\nUU README.md\n M app.py\n D old.txt\n"
                               "?? deploy/k8s/app.yaml\n")
    assert "<<<<<<< before updating\nRun it with make dev.\n" in (project / "README.md").read_text()
    assert (project / "app.py").read_text().startswith('"""The app."""\n')
    assert "users_own_route" in (project / "app.py").read_text()


def test_dry_run_text_lists_each_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["update", str(project), "--dry-run"]) == 3
    assert capsys.readouterr().out == (
        f"Dry run: updating {project} from template version 0.1.1 to 0.2.0 would change 5 file(s):\n"
        "  updated   .copier-answers.yml\n"
        "  conflict  README.md\n"
        "  merged    app.py\n"
        "  added     deploy/k8s/app.yaml\n"
        "  removed   old.txt\n"
        "Nothing was written; `stackpick update` applies exactly this.\n")
    assert status(project) == ""
    assert not (project / ".git" / "stackpick").exists()
    assert git(project, "rev-parse", "HEAD") == git(project, "rev-parse", "main")
