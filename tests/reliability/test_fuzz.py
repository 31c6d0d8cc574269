"""Property tests over answer values, data files and destinations: whatever the input, stackpick
exits 0, 1, 2 or 130, never prints a traceback, creates nothing outside DEST, and leaves DEST
either whole or as it was."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stackpick.questions import ALL_QUESTIONS
from tests.reliability.conftest import EXIT_CODES, Result, cli, process, snapshot, unprivileged

KEYS = [q.key for q in ALL_QUESTIONS]
FEW = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
MANY = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))

TEXT = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="aé日 \t\n\r\x00\x1b\u2028\udcff'\"{}[]:&*!|>-#%@`", max_size=30),
    st.sampled_from(["true", "no", "cms", "flask", "high", "", " ", "~", "null", "x" * 300, "é" * 70]),
)
YAML_VALUES = st.recursive(
    st.one_of(TEXT, st.booleans(), st.integers(), st.floats(allow_nan=False), st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8)


@contextmanager
def workspace() -> Iterator[Path]:
    """A fresh folder per example (hypothesis reuses a test's tmp_path across examples)."""
    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def assert_clean(result: Result) -> None:
    assert result.code in EXIT_CODES, (result.code, result.err)
    assert "Traceback" not in result.out + result.err
    if result.code != 0:
        assert len(result.err.strip().splitlines()) == 1, result.err


@FEW
@given(answers=st.dictionaries(st.sampled_from([*KEYS, "extra"]), YAML_VALUES, max_size=5),
       stack=st.sampled_from(["express", "flask", "django"]), via_file=st.booleans())
def test_any_answers_render_or_refuse_cleanly(answers: dict[str, object], stack: str, via_file: bool) -> None:
    with workspace() as work:
        argv = ["new", str(work / "out"), "--defaults", "--no-git", "--stack", stack]
        if via_file:
            (work / "answers.yml").write_text(yaml.safe_dump(answers, allow_unicode=True), encoding="utf-8",
                                              errors="surrogateescape")
            argv += ["--data-file", str(work / "answers.yml")]
        else:
            answers = {k: str(v) for k, v in answers.items()}
            argv += [arg for key, value in answers.items() for arg in ("--data", f"{key}={value}")]
        result = cli(*argv)
        assert_clean(result)
        made = sorted(p.name for p in work.iterdir() if p.name != "answers.yml")
        assert made == (["out"] if result.code == 0 else []), "nothing outside DEST"
        if result.code == 0:
            recorded = yaml.safe_load((work / "out" / ".copier-answers.yml").read_text(encoding="utf-8"))
            for key in ("project_name", "description", "author_name"):  # text is kept as given, or refused
                if key in answers:
                    given = "" if answers[key] is None else answers[key]  # `key:` with no value: empty
                    assert isinstance(given, str | int | float) and not isinstance(given, bool), (key, given)
                    assert recorded[key] == str(given).strip(), key


@MANY
@given(content=st.one_of(
    st.binary(max_size=300),
    st.builds(lambda v: yaml.safe_dump(v, allow_unicode=True).encode("utf-8", "surrogateescape"),
              st.dictionaries(st.sampled_from([*KEYS, "x"]), YAML_VALUES, max_size=4)),
    st.lists(st.sampled_from(["a: &x [1, 2]\n", "b: *x\n", "app_type: cms\n", "- 1\n", "c: {d: [e, {f: g}]}\n",
                              "!!binary aGk=\n", "? [k]\n: v\n", "[[[[[[[[[[[[[[[[[[[[[[[[\n", "%YAML 1.1\n",
                              "---\n", "...\n", "\t\n", "cpu_heavy: yes\n", "k: !!python/name:os.system\n"]),
             max_size=6).map(lambda parts: "".join(parts).encode()),
    st.sampled_from([b"description: " + b"x" * 70000, b"\xff\xfe" + "app_type: cms".encode("utf-16-le")]),
))
def test_any_data_file_gives_a_recommendation_or_one_line(content: bytes) -> None:
    with workspace() as work:
        (work / "answers.yml").write_bytes(content)
        result = cli("recommend", "--json", "--defaults", "--data-file", str(work / "answers.yml"))
        assert_clean(result)
        assert result.code in (0, 2)


DEST_KINDS = ["missing", "deep", "empty", "user-files", "file", "link-to-empty", "link-to-files", "dangling",
              "link-inside-out", "same-readme"]


def make_dest(work: Path, kind: str) -> Path:
    """Build DEST of KIND in WORK; `outside/` is a folder of the user's beside it."""
    (work / "outside").mkdir()
    (work / "outside" / "keep.txt").write_text("outside")
    dest = work / "dest"
    if kind == "deep":
        return work / "a" / "b" / "dest"
    if kind in ("empty", "user-files", "link-inside-out", "same-readme"):
        dest.mkdir()
    if kind in ("user-files", "link-inside-out"):
        (dest / "notes.md").write_text("mine")
    if kind == "link-inside-out":
        (dest / "docs").symlink_to("../outside")
    if kind == "same-readme":
        (dest / "Makefile").write_text("mine")
    if kind == "file":
        dest.write_text("a file")
    if kind in ("link-to-empty", "link-to-files"):
        (work / "real").mkdir()
        if kind == "link-to-files":
            (work / "real" / "notes.md").write_text("mine")
        dest.symlink_to("real")
    if kind == "dangling":
        dest.symlink_to("nowhere")
    return dest


def check_destination_outcome(work: Path, dest: Path, before: dict[str, bytes | str], code: int) -> None:
    after = snapshot(work)
    real = dest.resolve() if dest.is_symlink() else dest
    inside = {str(real.relative_to(work))} if real.is_relative_to(work) else set()

    def outside_dest(entries: dict[str, bytes | str]) -> dict[str, bytes | str]:
        return {k: v for k, v in entries.items()
                if not any(k == d or k.startswith(d + "/") for d in inside) and not k.endswith(".stackpick")}

    if code == 0:
        created = set(outside_dest(after)) - set(outside_dest(before))
        assert created <= {"a", "a/b"}, f"created outside DEST: {created}"
        assert {k: v for k, v in outside_dest(after).items() if k in before} == outside_dest(before)
        assert (real / ".copier-answers.yml").is_file(), "DEST is whole"
        for key, value in before.items():  # the user's own files in DEST are untouched
            if inside and any(key.startswith(d + "/") for d in inside):
                assert after.get(key) == value, key
    else:
        assert after == before, "a refused run leaves everything as it was"


@FEW
@given(kind=st.sampled_from(DEST_KINDS), force=st.booleans(), git=st.booleans())
def test_any_destination_is_whole_or_as_it_was(kind: str, force: bool, git: bool) -> None:
    with workspace() as work:
        dest = make_dest(work, kind)
        before = snapshot(work)
        argv = ["new", str(dest), "--defaults", "--stack", "flask", "--data", "project_name=demo"]
        result = cli(*argv, *(["--force"] if force else []), *([] if git else ["--no-git"]))
        assert_clean(result)
        check_destination_outcome(work, dest, before, result.code)


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(kind=st.sampled_from(["missing", "deep", "empty", "user-files"]), force=st.booleans(),
       locked=st.sampled_from(["parent", "dest"]))
def test_read_only_places_as_a_process_without_root_bypass(kind: str, force: bool, locked: str) -> None:
    prefix = unprivileged()
    with workspace() as work:
        os.chmod(work, 0o755)
        dest = make_dest(work, kind)
        target = dest if locked == "dest" and dest.is_dir() else dest.parent if dest.parent.exists() else work
        before = snapshot(work)
        os.chmod(target, 0o555)
        try:
            done = process(["new", str(dest), "--defaults", "--no-git", "--stack", "flask", "--data",
                            "project_name=demo", *(["--force"] if force else [])], cwd=work, prefix=prefix)
        finally:
            os.chmod(target, 0o755)
        assert_clean(Result(done.returncode, done.stdout, done.stderr))
        check_destination_outcome(work, dest, before, done.returncode)
