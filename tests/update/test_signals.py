"""Interrupting `stackpick update` at any moment loses nothing.

A real two-version history (v0.1.0, then v0.2.0 changing, adding and removing files) and a project
with committed edits. The update runs as a real process and is stopped at named stages (the
test-only pause points of stackpick.pausepoints) and at measured moments inside Copier's merge:
- SIGINT (to the process group, as a terminal sends it) and SIGTERM (to the process): exit 130
  with every file byte-identical and nothing staged, or the update fully applied and said so;
- SIGKILL: unchanged, fully updated, or (cut inside the apply step) refused by `check` and `update`
  with one line naming `stackpick update --abort`, which gives back the pre-update tree.
After each, $TMPDIR is empty and a later update works and keeps the edits.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from stackpick import history, store
from stackpick.cli import main
from tests.support import stop, wait_for_line, wait_for_pause
from tests.update.conftest import APP, COPIER_YML, README_V1, commit_all, git, snapshot, status, write
from tests.update.runner import use_history

ROOT = Path(__file__).resolve().parents[2]
BEFORE_APPLY = ["prepared", "cloned", "merged", "rendered", "planned"]
INSIDE_APPLY = ["apply-journal", "apply-midway", "apply-index", "applied"]
INSIDE_COPIER = [0.2, 0.5, 0.8]  # fractions of the measured time between the `cloned` and `merged` stages
EDIT = "\n\ndef users_own_route():\n    return 'mine'\n"


@dataclass(frozen=True)
class Scenario:
    source: Path  # the 0.2.0 history as a bundle
    project: Path  # at 0.1.0 with committed edits; copied for every case
    before: dict[str, tuple[bytes, bool]]
    after: dict[str, tuple[bytes, bool]]  # what an uninterrupted update gives
    copier_seconds: float


def _template_repo(root: Path) -> Path:
    repo = root / "source"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo / "templates", {
        "copier.yml": COPIER_YML, "flask/{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers | to_nice_yaml }}",
        "flask/README.md.jinja": README_V1, "flask/app.py": APP, "flask/old.txt": "retired soon\n",
        "flask/docs/decisions/0001-stack-choice.md.jinja": "# Stack choice\n"})
    commit_all(repo, "0.1.0", "v0.1.0")
    return repo


def _release(repo: Path, conflicting: bool) -> None:
    (repo / "templates/flask/old.txt").unlink()
    readme = README_V1.replace("make serve", "gunicorn") if conflicting else README_V1 + "\nScale it out.\n"
    write(repo / "templates", {"flask/README.md.jinja": readme, "flask/app.py": '"""The app."""\n' + APP,
                               "flask/SCALING.md": "scaling\n", "flask/deploy/k8s/app.yaml": "kind: Deployment\n"})
    commit_all(repo, "0.2.0", "v0.2.0")


def _build(root: Path, *, conflicting: bool = False) -> Scenario:
    source = _template_repo(root)
    use_history(source)
    project = root / "project"
    assert main(["new", str(project), "--defaults", "--data", "project_name=demo", "--stack", "flask"]) == 0
    readme = (project / "README.md").read_text()
    write(project, {"app.py": APP + EDIT,
                    "README.md": readme.replace("make serve", "make dev") if conflicting else readme})
    commit_all(project, "my edits")
    _release(source, conflicting)
    bundle = root / "history.bundle"
    history.build(bundle, source / "templates", "0.2.0", source)
    source = bundle
    use_history(source)
    reference = root / "reference"
    shutil.copytree(project, reference, symlinks=True)
    proc = _start(source, reference, root / "tmp-reference", "none")
    stages = _stage_times(proc)
    assert proc.wait(timeout=120) == (3 if conflicting else 0)
    return Scenario(source, project, snapshot(project), snapshot(reference),
                    stages["merged"] - stages["cloned"])


def _restore_store_after(patch: pytest.MonkeyPatch) -> None:
    """use_history patches stackpick.store: have PATCH put it back for the other tests."""
    patch.setattr(store, "_source_bundle", store._source_bundle)
    patch.setattr(store, "_checkout_fingerprint", store._checkout_fingerprint)


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture
def home(shared_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One HOME (so one template store) for the whole module: the store is built once."""
    monkeypatch.setenv("HOME", str(shared_home))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    return shared_home


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, shared_home: Path) -> Iterator[Scenario]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(shared_home))
        patch.delenv("XDG_DATA_HOME", raising=False)
        _restore_store_after(patch)
        yield _build(tmp_path_factory.mktemp("signals"))


def _start(source: Path, project: Path, tmpdir: Path, stage: str, pause: float = 0.6,
           command: str = "update") -> subprocess.Popen[str]:
    tmpdir.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(tmpdir), "PYTHONUNBUFFERED": "1", "STACKPICK_TEST_STAGES": stage,
           "STACKPICK_TEST_PAUSE_SECONDS": str(pause)}
    return subprocess.Popen([sys.executable, "-m", "tests.update.runner", str(source), command, str(project)],
                            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _stage_times(proc: subprocess.Popen[str]) -> dict[str, float]:
    assert proc.stderr is not None
    times = {}
    for line in proc.stderr:
        if line.startswith("stackpick-test: stage "):
            times[line.split()[-1]] = time.monotonic()
    return times


@pytest.fixture
def case(scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the project, with HOME and the template history set for in-process runs."""
    copy = tmp_path / "project"
    shutil.copytree(scenario.project, copy, symlinks=True)
    _restore_store_after(monkeypatch)
    use_history(scenario.source)
    return copy


def _untouched(project: Path, scenario: Scenario) -> bool:
    return snapshot(project) == scenario.before and status(project) == ""


def _assert_later_update_works(project: Path, scenario: Scenario) -> None:
    if snapshot(project) == scenario.after:  # applied: the user commits it, and nothing is left to do
        commit_all(project, "update")
        assert main(["update", str(project)]) == 0
    else:
        assert main(["update", str(project)]) == 0
        assert snapshot(project) == scenario.after
    assert EDIT in (project / "app.py").read_text()
    assert not (project / ".git" / "stackpick").exists()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
@pytest.mark.parametrize("stage", BEFORE_APPLY + INSIDE_APPLY)
def test_a_stop_signal_at_a_stage(scenario: Scenario, case: Path, tmp_path: Path, sig: signal.Signals,
                                  stage: str) -> None:
    proc = _start(scenario.source, case, tmp_path / "tmp", stage)
    wait_for_pause(proc, stage)
    code, err = stop(proc, sig)
    assert code == 130, err
    if stage in BEFORE_APPLY:
        assert err == "stackpick: error: interrupted: nothing was written\n"
        assert _untouched(case, scenario)
    else:
        assert err == (f"stackpick: error: interrupted after the update was written: {case} is at template "
                       "version 0.2.0 (6 file(s) changed); review with `git diff`\n")
        assert snapshot(case) == scenario.after
    assert list((tmp_path / "tmp").iterdir()) == []
    _assert_later_update_works(case, scenario)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
@pytest.mark.parametrize("fraction", INSIDE_COPIER)
def test_a_stop_signal_inside_the_merge(scenario: Scenario, case: Path, tmp_path: Path, sig: signal.Signals,
                                        fraction: float) -> None:
    proc = _start(scenario.source, case, tmp_path / "tmp", "none")
    wait_for_line(proc, "stackpick-test: stage cloned")
    time.sleep(fraction * scenario.copier_seconds)
    code, err = stop(proc, sig)
    if _untouched(case, scenario):
        assert (code, err) == (130, "stackpick: error: interrupted: nothing was written\n")
    else:  # the machine was faster than measured: the signal came after the merge
        assert snapshot(case) == scenario.after, err
        written = (f"stackpick: error: interrupted after the update was written: {case} is at template "
                   "version 0.2.0 (6 file(s) changed); review with `git diff`\n")
        assert (code, err) in ((0, ""), (130, written))  # after the command returned, or while it finished
    assert list((tmp_path / "tmp").iterdir()) == []
    _assert_later_update_works(case, scenario)


@pytest.mark.parametrize("stage", ["cloned", *INSIDE_APPLY])
def test_sigkill_is_recoverable_with_one_line(scenario: Scenario, case: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str], stage: str) -> None:
    head = git(case, "rev-parse", "HEAD")
    proc = _start(scenario.source, case, tmp_path / "tmp", stage)
    wait_for_pause(proc, stage)
    code, _ = stop(proc, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert list((tmp_path / "tmp").iterdir()) == []
    if stage in ("apply-journal", "apply-midway", "apply-index"):
        line = (f"stackpick: error: an earlier `stackpick update` of {case} was cut short while writing files; "
                f"run `stackpick update --abort {case}` to put every file back as it was, then update again\n")
        capsys.readouterr()
        assert main(["check", str(case)]) == 2
        assert capsys.readouterr().err == line
        assert main(["update", str(case)]) == 1
        assert capsys.readouterr().err == line
        assert main(["update", "--abort", str(case)]) == 0
        assert capsys.readouterr().out == (f"Restored {case} to how it was before the interrupted update "
                                           f"(template version 0.1.0, commit {head[:7]}).\n")
    assert snapshot(case) in (scenario.before, scenario.after)
    assert _untouched(case, scenario) or stage == "applied"
    _assert_later_update_works(case, scenario)


def test_sigkill_while_conflicts_are_staged_restores_the_index(tmp_path_factory: pytest.TempPathFactory,
                                                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # its own store: another 0.2.0
    _restore_store_after(monkeypatch)
    conflicted = _build(tmp_path_factory.mktemp("conflicts"), conflicting=True)
    project = conflicted.project
    proc = _start(conflicted.source, project, tmp_path / "tmp", "apply-index")
    wait_for_pause(proc, "apply-index")
    stop(proc, signal.SIGKILL)
    assert "<<<<<<< before updating" in (project / "README.md").read_text()  # cut after the files
    assert main(["update", "--abort", str(project)]) == 0
    assert _untouched(project, conflicted)
    assert main(["update", str(project)]) == 3
    assert snapshot(project) == conflicted.after
    assert status(project) == (" M .copier-answers.yml\nUU README.md\n M app.py\n D old.txt\n?? SCALING.md\n"
                               "?? deploy/k8s/app.yaml\n")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
@pytest.mark.parametrize("stage", ["cloned", "merged"])
def test_a_stop_signal_during_check(scenario: Scenario, case: Path, tmp_path: Path, sig: signal.Signals,
                                    stage: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C while `check` runs its merge in the scratch clone: 130 in one line, nothing left anywhere."""
    proc = _start(scenario.source, case, tmp_path / "tmp", stage, command="check")
    wait_for_pause(proc, stage)
    code, err = stop(proc, sig)
    assert (code, err) == (130, "stackpick: error: interrupted: nothing was written\n")
    assert _untouched(case, scenario) and not (case / ".git" / "stackpick").exists()
    assert list((tmp_path / "tmp").iterdir()) == []
    capsys.readouterr()
    assert main(["check", str(case)]) == 1
    assert capsys.readouterr().out == (f"{case}: behind: template version 0.1.0 -> 0.2.0 would change 5 file(s) "
                                       "(run `stackpick update --dry-run` to see them, `stackpick update` to merge)\n")
