"""Bad input, interruptions and closed terminals: no traceback, no lost work, no half-made project."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stackpick import __version__, shield
from stackpick.cli import main
from stackpick.new import next_steps
from stackpick.questions import DECISION_QUESTIONS
from tests.support import send_stop, stop, wait_for_pause


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.getbasetemp() / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))


def stackpick(*args: str, cwd: Path, stdin: int | None = subprocess.DEVNULL,
              pause_at: str = "") -> subprocess.Popen[str]:
    """`stackpick ARGS` as a process in its own session; PAUSE_AT: stages to pause at (stackpick.pausepoints)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "STACKPICK_TEST_STAGES": pause_at}
    return subprocess.Popen([sys.executable, "-m", "stackpick", *args], cwd=cwd, env=env, stdin=stdin,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.endswith(".stackpick"))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "sigint"])
@pytest.mark.parametrize("delay", [0.3, 0.5, 0.65, 0.8, 0.95, 1.1])
def test_interrupted_new_leaves_nothing_half_made(tmp_path: Path, sig: signal.Signals, delay: float) -> None:
    dest = tmp_path / "demo"
    proc = stackpick("new", str(dest), "--defaults", "--stack", "django", "--data", "project_name=demo",
                     cwd=tmp_path)
    time.sleep(delay)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert "Traceback" not in err, err
    assert leftovers(tmp_path) == []
    if dest.exists():  # placed before the signal (the process may die on its way out): whole
        assert (dest / ".copier-answers.yml").is_file() and (dest / ".git").is_dir()
        assert proc.returncode in (0, -sig) or (proc.returncode, err) == (130, complete(dest)), err
    elif proc.returncode == -sig:  # a loaded machine: the signal came while the interpreter itself was
        assert (out, err) == ("", "")  # starting, before stackpick's launcher took the signals over
    else:
        assert (proc.returncode, err) == (130, "stackpick: error: interrupted: nothing was written\n")


NEW_DJANGO = ["--defaults", "--stack", "django", "--data", "project_name=demo"]
NOTHING_WRITTEN = "stackpick: error: interrupted: nothing was written\n"


def complete(dest: Path) -> str:
    return f"stackpick: error: interrupted after the project was written: {dest} is complete\n"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "sigint"])
@pytest.mark.parametrize("stage", ["new-staging-created", "new-rendered", "new-placing", "new-staging-removing"])
def test_new_stopped_at_each_step_says_what_is_true(tmp_path: Path, sig: signal.Signals, stage: str) -> None:
    """A signal while the staging folder is made, after the render, while the project is moved into
    place, and while the staging folder is removed: no staging folder is ever left, and the line says
    whether DEST was written (it is then whole: the move and the removal finish before the signal lands)."""
    dest = tmp_path / "demo"
    proc = stackpick("new", str(dest), *NEW_DJANGO, cwd=tmp_path, pause_at=stage)
    wait_for_pause(proc, stage)
    code, err = stop(proc, sig)
    assert leftovers(tmp_path) == []
    if stage in ("new-placing", "new-staging-removing"):
        assert (code, err) == (130, complete(dest))
        assert (dest / ".copier-answers.yml").is_file()
        assert subprocess.run(["git", "status", "--porcelain"], cwd=dest, capture_output=True, text=True,
                              check=True).stdout == ""
    else:
        assert (code, err) == (130, NOTHING_WRITTEN)
        assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "sigint"])
def test_a_second_signal_cannot_cut_the_clean_up_short(tmp_path: Path, sig: signal.Signals) -> None:
    """An impatient second Ctrl-C (or a supervisor's repeated SIGTERM) while the first one's clean-up
    removes a rendered Django project: the clean-up still finishes."""
    dest = tmp_path / "nested" / "demo"
    proc = stackpick("new", str(dest), *NEW_DJANGO, cwd=tmp_path, pause_at="new-rendered,new-staging-removing")
    wait_for_pause(proc, "new-rendered")
    send_stop(proc, sig)
    wait_for_pause(proc, "new-staging-removing")
    assert len(leftovers(dest.parent)) == 1, "the clean-up has not begun: the staging folder is still there"
    assert stop(proc, sig) == (130, NOTHING_WRITTEN)
    assert list(tmp_path.iterdir()) == [], "the staging folder and the parents this run created are gone"


def test_what_a_killed_new_left_is_cleared_by_the_next_run(tmp_path: Path) -> None:
    """SIGKILL cannot be held: the staging folder stays (DEST is never touched), and the next `new`
    in the same folder removes it once its run is gone."""
    dest = tmp_path / "demo"
    proc = stackpick("new", str(dest), *NEW_DJANGO, cwd=tmp_path, pause_at="new-rendered")
    wait_for_pause(proc, "new-rendered")
    assert stop(proc, signal.SIGKILL)[0] == -signal.SIGKILL
    [left] = leftovers(tmp_path)
    assert not dest.exists()
    then = time.time() - 2 * shield.ABANDONED_AFTER  # as if killed two minutes ago
    os.utime(tmp_path / left / shield.LOCK, (then, then))
    again = stackpick("new", str(dest), *NEW_DJANGO, cwd=tmp_path)
    out, err = again.communicate(timeout=120)
    assert (again.returncode, err) == (0, ""), err
    assert out.endswith(next_steps(dest, "django") + "\n")
    assert leftovers(tmp_path) == [] and (dest / ".copier-answers.yml").is_file()


SIGNALLED_SCRIPT = """
import os, signal, sys, time
from stackpick import cli

def stop_here():
    os.kill(os.getpid(), signal.{sig})  # handled at once, inside the caller

class Finalized:
    def __del__(self):  # what Copier's plumbum does while it waits on git
        stop_here()
        time.sleep(0.05)

class Named:
    def __set_name__(self, owner, name):  # what a dataclass field does when Copier is imported
        stop_here()

def work(args):
    if "{where}" == "finalizer":
        Finalized()
    else:
        class Question:
            settings = Named()
    for _ in range(200):
        time.sleep(0.01)
    print("the run went on to the end")
    return 0

cli._dispatch = work
sys.exit(cli.main(["rules"]))
"""


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("where", ["finalizer", "class-creation"])
def test_a_signal_where_python_swallows_or_wraps_it_still_stops_the_run(sig: str, where: str) -> None:
    """Python swallows an exception raised in a `__del__` (printing its traceback), and 3.11 wraps one
    raised in `__set_name__` into a RuntimeError: a stop landing there must still end the run, with the
    one line and no traceback."""
    done = subprocess.run([sys.executable, "-c", SIGNALLED_SCRIPT.format(sig=sig, where=where)],
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (130, "", NOTHING_WRITTEN)


LATE_SCRIPT = """
import os, signal, sys, time
from stackpick import cli

class Finalized:
    def __del__(self):
        os.kill(os.getpid(), signal.{sig})

def work(args):
    Finalized()
    return 0  # done before the stop could be delivered again

cli._dispatch = work
code = cli.main(["rules"])
time.sleep(0.2)  # the caller's own handlers are back: a late re-delivery would hit them
print("returned", code)
"""


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_a_swallowed_stop_is_not_delivered_after_the_command_returned(sig: str) -> None:
    done = subprocess.run([sys.executable, "-c", LATE_SCRIPT.format(sig=sig)], capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "returned 0\n", "")


def test_stdin_closed_never_hangs(tmp_path: Path) -> None:
    for stdin in (subprocess.DEVNULL, subprocess.PIPE):
        proc = stackpick("new", str(tmp_path / "x"), cwd=tmp_path, stdin=stdin)
        # With a pipe, communicate() closes stdin at once: the EOF a closed terminal gives.
        _, err = proc.communicate(input="" if stdin == subprocess.PIPE else None, timeout=30)
        assert (proc.returncode, err) == (2, (
            "stackpick: error: missing answers for: app_type, team_language, concurrency, cpu_heavy, needs_admin, "
            "project_size, ml_libraries (pass them with --data KEY=VALUE, or add --defaults to take the defaults)\n"))
    assert list(tmp_path.iterdir()) == []


def test_quiet_in_logs_and_git_only_outside_a_repository(tmp_path: Path) -> None:
    outer = tmp_path / "monorepo"
    outer.mkdir()
    subprocess.run(["git", "init", "-q", str(outer)], check=True)
    proc = stackpick("new", str(outer / "svc"), "--defaults", "--stack", "express", "--data",
                     "project_name=svc", cwd=tmp_path)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "Rendering" not in out + err, "progress lines are for terminals, not CI logs"
    assert out.endswith(next_steps(outer / "svc", "express") + "\n")
    assert not (outer / "svc" / ".git").exists(), "inside an existing repository: no nested repo"
    proc = stackpick("new", str(tmp_path / "alone"), "--defaults", "--stack", "express", "--data",
                     "project_name=alone", cwd=tmp_path)
    assert proc.wait(timeout=120) == 0
    log = subprocess.run(["git", "log", "--oneline"], cwd=tmp_path / "alone", capture_output=True, text=True)
    assert log.stdout.splitlines()[0].split(" ", 1)[1] == f"Generate alone with stackpick {__version__} (express)"
    assert len(log.stdout.splitlines()) == 1


def test_force_adds_files_but_never_overwrites(tmp_path: Path) -> None:
    dest = tmp_path / "existing"
    dest.mkdir()
    (dest / "notes.md").write_text("my notes\n")
    (dest / "README.md").write_text("my own readme\n")
    base = ["new", str(dest), "--defaults", "--no-git", "--stack", "flask", "--data", "project_name=existing"]
    assert main(base) == 2, "non-empty DEST is refused without --force"
    assert main([*base, "--force"]) == 2, "README.md would be overwritten: refused"
    assert sorted(p.name for p in dest.iterdir()) == ["README.md", "notes.md"]
    (dest / "README.md").unlink()
    assert main([*base, "--force"]) == 0
    assert (dest / "notes.md").read_text() == "my notes\n"
    assert (dest / "Makefile").is_file() and (dest / "README.md").is_file()
    assert leftovers(tmp_path) == []


NAMES = st.one_of(
    st.text(min_size=0, max_size=80),
    st.text(alphabet="abc-_. /\\:;$`'\"|&*?~#\t\n\x00é日", min_size=0, max_size=20),
    st.sampled_from(["..", "../evil", "/abs/path", "a/../../b", "con", "test", "flask", "$(rm -rf x)",
                     "-rf", "Ünïcødé Shop", "x" * 300, " ", "name\x1b[31m"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAMES, stack=st.sampled_from(["express", "flask", "django"]))
def test_any_project_name_is_rendered_or_refused_cleanly(tmp_path_factory: pytest.TempPathFactory,
                                                         name: str, stack: str) -> None:
    work = tmp_path_factory.mktemp("names")
    dest = work / "out"
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["new", str(dest), "--defaults", "--no-git", "--stack", stack,
                     "--data", f"project_name={name}"])
    assert code in (0, 2), err.getvalue()
    assert "Traceback" not in err.getvalue()
    assert [p.name for p in work.iterdir()] == (["out"] if code == 0 else []), "nothing outside DEST"
    if code == 0:
        assert (dest / ".copier-answers.yml").is_file()
    else:
        assert len(err.getvalue().strip().splitlines()) == 1


@settings(max_examples=200, deadline=None)
@given(pairs=st.dictionaries(
    st.one_of(st.sampled_from([q.key for q in DECISION_QUESTIONS]), st.text(max_size=12)),
    st.one_of(st.text(max_size=20), st.sampled_from(["true", "false", "high", "cms", "express"])),
    max_size=6))
def test_any_answer_values_give_a_recommendation_or_one_line(pairs: dict[str, str]) -> None:
    argv = ["recommend", "--json"]
    for key, value in pairs.items():
        argv += ["--data", f"{key}={value}"]
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    assert code in (0, 2)
    if code == 2:
        assert len(err.getvalue().strip().splitlines()) == 1, err.getvalue()


EARLY_SIGNAL = """\
import os, signal, sys
from stackpick import launcher

class SignalDuringImport:  # Ctrl-C while the command line is still being imported
    def find_spec(self, name, path=None, target=None):
        if name == "stackpick.cli":
            os.kill(os.getpid(), signal.{sig})
        return None

sys.meta_path.insert(0, SignalDuringImport())
sys.argv = ["stackpick", "rules"]
sys.exit(launcher.run())
"""


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_a_signal_before_the_command_line_is_imported_is_one_line(tmp_path: Path, sig: str) -> None:
    done = subprocess.run([sys.executable, "-c", EARLY_SIGNAL.format(sig=sig)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "stackpick: error: interrupted: nothing was "
                                                                    "written\n")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "sigint"])
def test_a_stop_after_the_command_returned_leaves_its_outcome(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              sig: signal.Signals) -> None:
    # The process is still alive after `main` returned (exit handlers, finalizers): a stop now must not
    # turn a finished command into a death by signal (exit -15 or -2; CI saw it with update's runner).
    monkeypatch.setenv("STACKPICK_TEST_PAUSE_SECONDS", "1")
    proc = stackpick("rules", cwd=tmp_path, pause_at="returned")
    wait_for_pause(proc, "returned")
    assert stop(proc, sig) == (0, "")


def test_the_console_script_and_python_m_start_through_the_launcher() -> None:
    import tomllib

    from tests.support import ROOT

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"stackpick": "stackpick.launcher:run"}
    assert "from stackpick.launcher import run" in (ROOT / "generator/stackpick/__main__.py").read_text()
