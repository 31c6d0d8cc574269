"""The template history and its store: tags per release, stable ids, a dev version, safe refreshes."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
import yaml

from stackpick import history, store
from stackpick.cli import main
from tests.update.conftest import commit_all, git, write
from tests.update.runner import use_history


def tags(bundle: Path) -> dict[str, str]:
    return {ref.removeprefix("refs/tags/"): sha for ref, sha in store.tags(bundle).items()}


def test_one_tag_per_release_with_stable_ids_and_a_dev_tag(source_repo: Path, tmp_path: Path) -> None:
    write(source_repo / "templates", {"flask/app.py": "changed\n"})
    commit_all(source_repo, "0.2.0", "v0.2.0")
    first = history.build(tmp_path / "a.bundle", source_repo / "templates", "0.2.0", source_repo)
    again = history.build(tmp_path / "b.bundle", source_repo / "templates", "0.2.0", source_repo)
    assert first == again == "0.2.0"
    assert tags(tmp_path / "a.bundle") == tags(tmp_path / "b.bundle")  # same commits on any machine
    assert set(tags(tmp_path / "a.bundle")) == {"0.1.0", "0.2.0"}
    write(source_repo / "templates", {"flask/app.py": "unreleased\n"})
    dev = history.build(tmp_path / "c.bundle", source_repo / "templates", "0.2.0", source_repo)
    index = {"GIT_INDEX_FILE": str(tmp_path / "index")}  # the working templates' tree, as git names it
    history.git("add", "-A", "--", "templates", cwd=source_repo, env=index)
    tree = history.git("write-tree", "--prefix=templates/", cwd=source_repo, env=index)
    assert dev == f"0.2.1.dev1+g{tree[:7]}"  # one change since v0.2.0 (the working one)
    assert tags(tmp_path / "c.bundle")["0.2.0"] == tags(tmp_path / "a.bundle")["0.2.0"]


def test_without_a_repository_the_templates_are_the_package_version(source_repo: Path,
                                                                    tmp_path: Path) -> None:
    assert history.build(tmp_path / "x.bundle", source_repo / "templates", "0.3.0", None) == "0.3.0"
    assert set(tags(tmp_path / "x.bundle")) == {"0.3.0"}


def test_the_store_keeps_old_tags_and_survives_a_race(source_repo: Path, home: Path) -> None:
    first = store.ensure()
    assert first.src == "~/.local/share/stackpick/templates.bundle" and first.current == "0.1.0"
    write(source_repo / "templates", {"flask/app.py": "unreleased\n"})
    errors: list[BaseException] = []

    def refresh() -> None:
        try:
            store.ensure()
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=refresh) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    names = set(tags(first.path))
    assert "0.1.0" in names and any(".dev" in name for name in names)
    assert not [p for p in first.path.parent.iterdir() if p.name != store.BUNDLE_NAME]


def test_real_templates_render_from_the_store_and_are_up_to_date(tmp_path: Path,
                                                                 capsys: object) -> None:
    dest = tmp_path / "demo"
    assert main(["new", str(dest), "--defaults", "--data", "project_name=demo", "--stack", "flask"]) == 0
    recorded = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert recorded["_src_path"] == "~/.local/share/stackpick/templates.bundle"
    assert recorded["_commit"] == store.ensure().current
    adr = (dest / "docs/decisions/0001-stack-choice.md").read_text()
    assert main(["check", str(dest)]) == 0
    assert main(["update", str(dest)]) == 0  # already current: nothing to do, nothing touched
    assert git(dest, "status", "--porcelain") == ""
    # A real merge on the real templates: the ADR (skip_if_exists, rendered from the unrecorded
    # `decision`) is neither rewritten nor deleted.
    assert main(["update", str(dest), "--data", "description=Orders, now with a new line"]) == 0
    assert (dest / "docs/decisions/0001-stack-choice.md").read_text() == adr
    assert "Orders, now with a new line" in (dest / "README.md").read_text()


def test_a_checkout_rebuilds_its_history_only_when_the_templates_change(tmp_path: Path, home: Path) -> None:
    copy = tmp_path / "templates"
    shutil.copytree(store._CHECKOUT_TEMPLATES, copy)
    before = store._checkout_fingerprint(copy)
    assert before and before == store._checkout_fingerprint(copy)
    (copy / "flask" / "Makefile.jinja").write_text("changed\n")
    assert store._checkout_fingerprint(copy) != before

    first = store.ensure()  # the real checkout: builds the history and remembers it
    assert store._memo(first.path).is_file()

    def must_not_rebuild(tmp: Path) -> tuple[Path, str]:
        raise AssertionError("the history was rebuilt although nothing changed")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store, "_source_bundle", must_not_rebuild)
        assert store.ensure().current == first.current


def test_a_dev_version_counts_template_commits_not_file_times(source_repo: Path, tmp_path: Path) -> None:
    write(source_repo / "templates", {"flask/app.py": "one\n"})
    commit_all(source_repo, "templates change 1")
    write(source_repo, {"NOTES.md": "not a template\n"})
    commit_all(source_repo, "outside templates/")
    write(source_repo / "templates", {"flask/app.py": "two\n"})
    commit_all(source_repo, "templates change 2")
    tree = git(source_repo, "rev-parse", "HEAD:templates")
    assert history.build(tmp_path / "a.bundle", source_repo / "templates", "0.1.0", source_repo) \
        == f"0.1.1.dev2+g{tree[:7]}"
    write(source_repo / "templates", {"flask/app.py": "three\n"})  # a working change: the next commit
    working = history.build(tmp_path / "b.bundle", source_repo / "templates", "0.1.0", source_repo)
    commit_all(source_repo, "templates change 3")
    tree = git(source_repo, "rev-parse", "HEAD:templates")
    assert working == f"0.1.1.dev3+g{tree[:7]}"
    assert history.build(tmp_path / "c.bundle", source_repo / "templates", "0.1.0", source_repo) == working
    assert tags(tmp_path / "b.bundle")[working] == tags(tmp_path / "c.bundle")[working]
    git(source_repo, "tag", "v0.2.0")
    assert history.build(tmp_path / "d.bundle", source_repo / "templates", "0.1.0", source_repo) == "0.2.0"


def test_two_fresh_clones_of_one_commit_record_the_same_version(
        source_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(source_repo / "templates", {"flask/app.py": "unreleased\n"})
    commit_all(source_repo, "unreleased template change")
    recorded = []
    for index, stamp in enumerate((1_000_000_000, 1_700_000_000)):
        clone = tmp_path / f"clone{index}"
        git(tmp_path, "clone", "-q", str(source_repo), str(clone))
        for file in (clone / "templates").rglob("*"):
            os.utime(file, (stamp, stamp))  # different file times in each clone
        monkeypatch.setenv("HOME", str(tmp_path / f"home{index}"))
        use_history(clone)
        dest = tmp_path / f"project{index}"
        assert main(["new", str(dest), "--defaults", "--data", "project_name=demo", "--stack", "flask"]) == 0
        recorded.append(yaml.safe_load((dest / ".copier-answers.yml").read_text())["_commit"])
    assert recorded[0] == recorded[1] == f"0.1.1.dev1+g{git(source_repo, 'rev-parse', 'HEAD:templates')[:7]}"


def test_a_truncated_store_is_rebuilt(source_repo: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "demo"
    assert main(["new", str(dest), "--defaults", "--data", "project_name=demo", "--stack", "flask"]) == 0
    bundle = store.store_path()
    data = bundle.read_bytes()
    bundle.write_bytes(data[: len(data) - 40])
    assert not store.intact(bundle)
    capsys.readouterr()
    assert main(["check", str(dest)]) == 0
    captured = capsys.readouterr()
    assert captured.err == (f"stackpick: the template store {bundle} was damaged; rebuilt it from this "
                            "installation (versions other stackpick installations added come back when "
                            "they run)\n")
    assert captured.out == f"{dest}: up to date (template version 0.1.0)\n"
    assert store.intact(bundle) and set(tags(bundle)) == {"0.1.0"}
    bundle.write_bytes(b"# v2 git bundle\n")  # cut inside the header
    assert main(["new", str(tmp_path / "again"), "--defaults", "--data", "project_name=x", "--stack", "flask"]) == 0
    assert store.intact(bundle)
