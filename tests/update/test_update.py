"""`stackpick update` and `check` against a tiny template history: the merge keeps user edits,
conflicts are reported, and every refusal touches nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from stackpick import repository
from stackpick.cli import main
from tests.update.conftest import README_V1, commit_all, git, status

Release = Callable[[str, dict[str, str]], None]
NEW = ["--defaults", "--data", "project_name=demo", "--stack", "flask"]


def answers(project: Path) -> dict[str, object]:
    return dict(yaml.safe_load((project / ".copier-answers.yml").read_text()))


def snapshot(project: Path) -> dict[str, bytes]:
    return {str(p.relative_to(project)): p.read_bytes() for p in sorted(project.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(project).parts}


@pytest.fixture
def project(tmp_path: Path, source_repo: Path) -> Path:
    """A project generated at template 0.1.0, with a user edit to the app committed."""
    dest = tmp_path / "demo"
    assert main(["new", str(dest), *NEW]) == 0
    with (dest / "app.py").open("a") as handle:
        handle.write("\n\ndef users_own_route():\n    return 'mine'\n")
    commit_all(dest, "my route")
    return dest


def test_new_records_a_portable_source_and_the_version(project: Path, home: Path) -> None:
    recorded = answers(project)
    assert recorded["_src_path"] == "~/.local/share/stackpick/templates.bundle"
    assert recorded["_commit"] == "0.1.0"
    assert (home / ".local/share/stackpick/templates.bundle").is_file()
    assert "decision" not in recorded


def test_round_trip_keeps_the_user_edit_and_takes_the_template_change(
        project: Path, release: Release, capsys: pytest.CaptureFixture[str]) -> None:
    adr_before = (project / "docs/decisions/0001-stack-choice.md").read_text()
    release("0.2.0", {"flask/README.md.jinja": README_V1 + "\nScale it with SCALING.md.\n",
                      "flask/docs/decisions/0001-stack-choice.md.jinja": "# Rewritten ADR\n"})
    capsys.readouterr()
    assert main(["update", str(project)]) == 0
    assert capsys.readouterr().out == (
        f"Updated {project} from template version 0.1.0 to 0.2.0: 2 file(s) changed.\n"
        "  updated   .copier-answers.yml\n  updated   README.md\n"
        "Review with `git diff`, run the tests, then commit.\n")
    assert "users_own_route" in (project / "app.py").read_text()
    assert "Scale it with SCALING.md." in (project / "README.md").read_text()
    assert (project / "docs/decisions/0001-stack-choice.md").read_text() == adr_before
    assert answers(project)["_commit"] == "0.2.0"


def test_conflicting_edit_is_reported_with_exit_3(project: Path, release: Release,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    readme = project / "README.md"
    readme.write_text(readme.read_text().replace("make serve", "make dev"))
    commit_all(project, "my readme")
    release("0.2.0", {"flask/README.md.jinja": README_V1.replace("make serve", "gunicorn")})
    capsys.readouterr()
    assert main(["update", str(project)]) == 3
    assert capsys.readouterr().err == (
        "stackpick: error: the update left conflicts in 1 file(s): README.md; resolve the <<<<<<< markers "
        "(and any .rej file), `git add` them, then commit\n")
    assert "<<<<<<< before updating\nRun it with make dev.\n=======\nRun it with gunicorn.\n" in readme.read_text()
    assert git(project, "diff", "--name-only", "--diff-filter=U") == "README.md"
    assert status(project) == " M .copier-answers.yml\nUU README.md\n"


def test_update_under_a_fresh_home_builds_the_store_there(project: Path, release: Release,
                                                          tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    release("0.2.0", {"flask/README.md.jinja": README_V1 + "\nNew section.\n"})
    other = tmp_path / "other-machine"
    other.mkdir()
    monkeypatch.setenv("HOME", str(other))
    assert main(["update", str(project)]) == 0
    assert (other / ".local/share/stackpick/templates.bundle").is_file()
    assert "New section." in (project / "README.md").read_text()
    assert "users_own_route" in (project / "app.py").read_text()


def test_plain_copier_update_works_once_the_store_exists(project: Path, release: Release,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    release("0.2.0", {"flask/README.md.jinja": README_V1 + "\nNew section.\n"})
    assert main(["check", str(project)]) == 1  # any stackpick command refreshes the store
    copier = Path(sys.executable).parent / "copier"
    result = subprocess.run([str(copier), "update", "--defaults", "--conflict", "inline"],
                            cwd=project, capture_output=True, text=True, env=os.environ, check=False)
    assert result.returncode == 0, result.stderr
    assert answers(project)["_commit"] == "0.2.0"
    assert "New section." in (project / "README.md").read_text()
    assert "users_own_route" in (project / "app.py").read_text()


def test_dirty_tree_is_refused_and_nothing_changes(project: Path, release: Release,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    release("0.2.0", {"flask/README.md.jinja": "changed\n"})
    (project / "notes.txt").write_text("work in progress")
    before = snapshot(project)
    assert main(["update", str(project)]) == 1
    assert capsys.readouterr().err == (f"stackpick: error: {project} has 1 uncommitted change(s) (first: "
                                       "notes.txt); commit or stash them, then update\n")
    assert snapshot(project) == before


@pytest.mark.parametrize(("pair", "error"), [
    ("stack=django", "update cannot change stack from flask to django: it would delete the flask app; generate "
                     "a new project with `stackpick new --stack django` and move your code into it"),
    ("project_slug=newpkg",
     "update cannot change project_slug from demo to newpkg: Copier would delete the package folder demo/ "
     "that holds your code; rename the package by hand (move the folder, fix the imports, set project_slug: "
     "newpkg in .copier-answers.yml, commit), or generate a new project and move your code into it"),
    ("project_slug=class", "project_slug: 'class' is a Python keyword"),
    ("project_name=a/b", "project_name: '/' is not allowed; use letters, digits, spaces, '-', '_' or '.'"),
    ("concurrency=huge", "concurrency: 'huge' is not one of: low, medium, high"),
    ("colour=red", "colour: unknown key; known keys: app_type, team_language, concurrency, cpu_heavy, "
                   "needs_admin, project_size, ml_libraries, stack, project_name, project_slug, description, "
                   "author_name"),
], ids=["stack", "slug-change", "slug-keyword", "bad-name", "bad-choice", "unknown-key"])
def test_answers_that_move_code_or_new_would_refuse_are_refused(
        project: Path, release: Release, capsys: pytest.CaptureFixture[str], pair: str, error: str) -> None:
    release("0.2.0", {"flask/README.md.jinja": "changed\n"})
    before = snapshot(project)
    capsys.readouterr()
    assert main(["update", str(project), "--data", pair]) == 2
    assert capsys.readouterr().err == f"stackpick: error: {error}\n"
    assert snapshot(project) == before
    assert status(project) == "" and not (project / ".git" / "stackpick").exists()


def test_abort_without_an_interrupted_update_is_refused(project: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["update", str(project), "--abort"]) == 2
    assert capsys.readouterr().err == f"stackpick: error: {project} has no interrupted update to abort\n"


def test_status_names_keep_every_character(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    for name in (" lead.txt", "README.md", "new\nline.txt"):
        (tmp_path / name).write_text("one\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "files")
    for name in (" lead.txt", "README.md", "new\nline.txt"):
        (tmp_path / name).write_text("two\n")
    (tmp_path / " untracked").write_text("x\n")
    assert [(e.kind, e.path) for e in repository.status(tmp_path)] == [
        ("1", " lead.txt"), ("1", "README.md"), ("1", "new\nline.txt"), ("?", " untracked")]


def test_update_may_change_other_answers(project: Path, release: Release) -> None:
    assert main(["update", str(project), "--data", "project_name=Renamed"]) == 0
    assert answers(project)["project_name"] == "Renamed"
    assert (project / "README.md").read_text().startswith("# Renamed")


@pytest.mark.parametrize("command", ["update", "check"])
def test_a_folder_that_is_not_a_project_is_refused(command: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    assert main([command, str(folder)]) == 2
    assert capsys.readouterr().err == (f"stackpick: error: {folder} is not a generated project (no "
                                       ".copier-answers.yml); pass the folder that `stackpick new` created\n")
    assert list(folder.iterdir()) == []


def test_check_says_behind_then_up_to_date(project: Path, release: Release,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(project)]) == 0
    assert capsys.readouterr().out == f"{project}: up to date (template version 0.1.0)\n"
    release("0.2.0", {"flask/README.md.jinja": README_V1 + "\nMore.\n"})
    assert main(["check", str(project)]) == 1
    assert capsys.readouterr().out == (f"{project}: behind: template version 0.1.0 -> 0.2.0 would change 1 "
                                       "file(s) (run `stackpick update --dry-run` to see them, `stackpick "
                                       "update` to merge)\n")
    assert main(["check", str(project), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report | {"path": None} == {"path": None, "template": "~/.local/share/stackpick/templates.bundle",
                                       "current": "0.1.0", "latest": "0.2.0", "behind": True,
                                       "would_change": ["README.md"], "would_conflict": []}
    assert main(["update", str(project)]) == 0
    assert main(["check", str(project), "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["behind"] is False


def test_a_project_in_a_subfolder_of_a_repository_updates(tmp_path: Path, source_repo: Path, release: Release,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    mono = tmp_path / "mono"
    mono.mkdir()
    git(mono, "init", "-q", "-b", "main")
    (mono / "other.txt").write_text("another team's file\n")
    assert main(["new", str(mono / "services" / "demo"), *NEW]) == 0
    commit_all(mono, "monorepo")
    release("0.2.0", {"flask/README.md.jinja": README_V1 + "\nMore.\n", "flask/NEW.md": "new\n"})
    capsys.readouterr()
    assert main(["update", str(mono / "services" / "demo")]) == 0
    assert capsys.readouterr().out == (
        f"Updated {mono / 'services' / 'demo'} from template version 0.1.0 to 0.2.0: 3 file(s) changed.\n"
        "  updated   .copier-answers.yml\n  added     NEW.md\n  updated   README.md\n"
        "Review with `git diff`, run the tests, then commit.\n")
    assert status(mono) == (" M services/demo/.copier-answers.yml\n M services/demo/README.md\n"
                            "?? services/demo/NEW.md\n")


def test_check_outside_git_compares_versions_only(tmp_path: Path, source_repo: Path, release: Release,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "plain"
    assert main(["new", str(dest), "--no-git", *NEW]) == 0
    release("0.2.0", {"flask/README.md.jinja": README_V1 + "\nMore.\n"})
    capsys.readouterr()
    assert main(["check", str(dest), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["behind"], report["would_change"], report["would_conflict"]) == (True, None, None)


def test_unknown_or_older_target_versions_are_refused(project: Path, release: Release,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    release("0.2.0", {"flask/README.md.jinja": README_V1 + "\nMore.\n"})
    capsys.readouterr()
    assert main(["update", str(project), "--vcs-ref", "7.0.0"]) == 2  # the user's input: exit 2
    assert capsys.readouterr().err == ("stackpick: error: --vcs-ref names template version 7.0.0, "
                                              "which the template ~/.local/share/stackpick/templates.bundle "
                                              "does not have (its newest versions: 0.1.0, 0.2.0); pass one of those\n")
    assert main(["update", str(project)]) == 0
    commit_all(project, "0.2.0")
    assert main(["update", str(project), "--vcs-ref", "0.1.0"]) == 1
    assert capsys.readouterr().err == (f"stackpick: error: {project} is at template version 0.2.0, newer than "
                                       "0.1.0; upgrade stackpick to update it (downgrades are not supported)\n")


def test_a_write_that_fails_half_way_restores_every_file(project: Path, release: Release,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from stackpick import transaction

    release("0.2.0", {"flask/README.md.jinja": README_V1 + "\nMore.\n", "flask/NEW.md": "new\n",
                      "flask/deploy/app.yaml": "kind: Deployment\n"})
    before = snapshot(project)
    written: list[str] = []
    real_write = transaction._write

    def failing_write(repo: repository.Repository, change: object) -> None:
        if len(written) == 2:
            raise OSError(28, "No space left on device")
        real_write(repo, change)  # type: ignore[arg-type]
        written.append("x")

    monkeypatch.setattr(transaction, "_write", failing_write)
    capsys.readouterr()
    assert main(["update", str(project)]) == 1
    assert capsys.readouterr().err == (
        f"stackpick: error: writing the update into {project} failed ([Errno 28] No space left on device); "
        "every file was restored as it was before the update\n")
    assert snapshot(project) == before and status(project) == ""
    assert not (project / ".git" / "stackpick").exists()


def test_git_variables_leaked_from_a_hook_are_not_used(project: Path, release: Release, tmp_path: Path,
                                                       source_repo: Path) -> None:
    """`stackpick update` run from a git hook of another repository (GIT_DIR, GIT_INDEX_FILE set), as a
    process: Copier's git sees the environment the process started with."""
    other = tmp_path / "other"
    git(tmp_path, "init", "-q", str(other))
    release("0.2.0", {"flask/README.md.jinja": README_V1 + "\nMore.\n"})
    env = {**os.environ, "GIT_DIR": str(other / ".git"), "GIT_WORK_TREE": str(other),
           "GIT_INDEX_FILE": str(other / ".git" / "index")}
    done = subprocess.run([sys.executable, "-m", "tests.update.runner", str(source_repo), "update", str(project)],
                          cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (
        f"Updated {project} from template version 0.1.0 to 0.2.0: 2 file(s) changed.\n"
        "  updated   .copier-answers.yml\n  updated   README.md\n"
        "Review with `git diff`, run the tests, then commit.\n")
    assert status(project) == " M .copier-answers.yml\n M README.md\n"
    assert git(other, "status", "--porcelain") == "" and not (other / ".git" / "index").exists()


@pytest.mark.parametrize(("content", "reason"), [
    (b"\xff\xfe\x00binary", " is not UTF-8 text (byte 0xff at offset 0); restore it from your git history"),
    (b"_src_path: [unclosed\n", " cannot be read as YAML (ParserError)"),
    (b"- a\n- b\n", " records no template source and version (_src_path, _commit); only projects rendered from "
                    "a git-versioned template can update"),
    (b"_src_path: ~/.local/share/stackpick/templates.bundle\n_commit: [1]\n",
     ": _commit must be text, not a list; restore it from your git history"),
    (b"_src_path: {a: 1}\n_commit: 0.1.0\n",
     ": _src_path must be text, not a mapping; restore it from your git history"),
], ids=["binary", "broken-yaml", "list", "commit-list", "src-mapping"])
@pytest.mark.parametrize("command", ["update", "check"])
def test_a_corrupt_answers_file_is_one_line(project: Path, command: str, content: bytes, reason: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    (project / ".copier-answers.yml").write_bytes(content)
    commit_all(project, "corrupt answers")
    before = snapshot(project)
    capsys.readouterr()
    assert main([command, str(project)]) == 2
    assert capsys.readouterr().err == f"stackpick: error: {project / '.copier-answers.yml'}{reason}\n"
    assert snapshot(project) == before and status(project) == ""


def test_user_hooks_and_signing_do_not_touch_an_update(project: Path, release: Release, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """A global git config whose hooks fail and whose signing would wait for a passphrase forever."""
    marker = tmp_path / "ran"
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for hook in ("pre-commit", "commit-msg", "post-commit", "post-checkout", "pre-applypatch", "post-merge"):
        (hooks / hook).write_text(f"#!/bin/sh\necho {hook} >> {marker}\nexit 1\n")
        (hooks / hook).chmod(0o755)
    gpg = tmp_path / "gpg"
    gpg.write_text(f"#!/bin/sh\necho gpg >> {marker}\nsleep 600\n")
    gpg.chmod(0o755)
    config = tmp_path / "gitconfig"
    config.write_text(f"[core]\n\thooksPath = {hooks}\n[commit]\n\tgpgsign = true\n[gpg]\n\tprogram = {gpg}\n"
                      "[user]\n\tsigningkey = ABCDEF\n")
    release("0.2.0", {"flask/README.md.jinja": README_V1 + "\nMore.\n"})
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    capsys.readouterr()
    assert main(["update", str(project), "--dry-run"]) == 0
    assert main(["update", str(project)]) == 0
    assert capsys.readouterr().err == ""
    assert not marker.exists(), marker.read_text() if marker.exists() else ""
    assert status(project) == " M .copier-answers.yml\n M README.md\n"


@pytest.mark.parametrize("command", ["update", "check"])
def test_a_read_only_git_folder_is_one_line(project: Path, source_repo: Path, command: str) -> None:
    """Without root's permission bypass: the scratch clone under .git cannot be made."""
    from tests.reliability.conftest import unprivileged

    prefix = unprivileged()
    assert main(["check", str(project)]) == 0  # the store exists, so only .git is in the way
    modes = {path: path.stat().st_mode for path in [project / ".git", *(project / ".git").rglob("*")]
             if path.is_dir()}
    for path in modes:
        path.chmod(0o555)
    try:
        done = subprocess.run([*prefix, sys.executable, "-m", "tests.update.runner", str(source_repo), command,
                               str(project)], cwd=Path(__file__).resolve().parents[2], env=os.environ,
                              capture_output=True, text=True, timeout=120, check=False)
    finally:
        for path, mode in modes.items():
            path.chmod(mode)
    assert (done.returncode, done.stdout) == ((2 if command == "check" else 1), "")
    assert done.stderr == (f"stackpick: error: cannot create a scratch folder in {project / '.git' / 'stackpick'} "
                           "(Permission denied): stackpick merges in a scratch clone under the project's .git "
                           "folder, so it needs to write there\n")
    assert status(project) == ""
