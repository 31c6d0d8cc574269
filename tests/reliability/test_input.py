"""Hostile answers and output streams: every one ends in one line and a documented exit code."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from stackpick.answers import MAX_DATA_FILE
from tests.reliability.conftest import NEW, cli, process

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8))


@pytest.mark.parametrize(("content", "message"), [
    (bytes(range(256)), "not UTF-8 text (byte 0x80 at offset 128)"),
    (("description:\n  " + BOMB.replace("\n", "\n  ")).encode(),
     "not valid YAML (line 3): aliases (*name) are not allowed in answers; write the value out"),
    (b"description: " + b"x" * (50 * 1024 * 1024), f"larger than 64 KiB ({50 * 1024 * 1024 + 13} bytes)"),
    (b"a: " + b"[" * 30000, "not valid YAML (line 1): nested deeper than 20 levels"),
    (b"- app_type\n- cms\n", "expected a mapping of KEY: VALUE"),
    (b"app_type: [cms\n", "not valid YAML (line 2): expected ',' or ']', but got '<stream end>'"),
], ids=["binary", "alias-bomb", "50MB", "deep-nesting", "list", "broken-yaml"])
def test_hostile_data_files_are_refused_in_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    data = tmp_path / "answers.yml"
    data.write_bytes(content)
    started = time.monotonic()
    result = cli("new", str(tmp_path / "out"), *NEW, "--data-file", str(data))
    assert result.code == 2
    assert result.one_line_error() == f"--data-file {data}: {message}"
    assert time.monotonic() - started < 10, "bounded: refused without reading or expanding everything"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.yml"]


def test_special_files_are_refused_without_reading_them(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    for path in ("/dev/zero", str(fifo), str(tmp_path)):
        result = cli("recommend", "--data-file", path)
        assert result.code == 2
        assert result.one_line_error() == (f"--data-file {path}: not a regular file (a device, FIFO or "
                                           "folder cannot hold answers)")


def test_a_data_file_at_the_size_limit_is_read(tmp_path: Path) -> None:
    data = tmp_path / "answers.yml"
    head = b"app_type: cms\n"
    data.write_bytes(head + b"#" * (MAX_DATA_FILE - len(head) - 1) + b"\n")
    assert cli("recommend", "--json", "--data-file", str(data)).code == 0
    data.write_bytes(data.read_bytes() + b"\n")
    assert cli("recommend", "--data-file", str(data)).one_line_error().endswith(
        f"larger than 64 KiB ({MAX_DATA_FILE + 1} bytes)")


@pytest.mark.parametrize(("yaml_text", "message"), [
    ("description: {a: 1}", "description: expected text, got a mapping (quote it in YAML)"),
    ("author_name: [a, b]", "author_name: expected text, got a list (quote it in YAML)"),
    ("author_name: no", "author_name: expected text, got the yes/no value false (quote it in YAML)"),
    ("description: 2026-12-01", "description: expected text, got a date (quote it in YAML)"),
    ("description: !!binary aGVsbG8=", "description: expected text, got binary data (quote it in YAML)"),
    ("app_type: {cms: 1}", "app_type: expected one of: realtime, streaming, iot, spa_backend, rest_api, "
                           "microservice, cms, ecommerce, social, data_ml, business, prototype; got a mapping"),
    ("cpu_heavy: [true]", "cpu_heavy: expected true or false, got a list"),
    ("description: '" + "d" * 201 + "'", "description: at most 200 characters (got 201)"),
    ("author_name: '" + "a" * 101 + "'", "author_name: at most 100 characters (got 101)"),
    ("project_name: '" + "n" * 5000 + "'", "project_name: at most 64 characters (got 5000)"),
    ('description: "two\\nlines"', "description: must be one line of printable text (found '\\n')"),
    ('author_name: "\\e[31mred"', "author_name: must be one line of printable text (found '\\x1b')"),
    ("app_type: '" + "z" * 1000 + "'", "app_type: 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz...' is not one of: "
                                       "realtime, streaming, iot, spa_backend, rest_api, microservice, cms, "
                                       "ecommerce, social, data_ml, business, prototype"),
], ids=["mapping", "list", "yaml-bool", "date", "binary", "choice-mapping", "bool-list", "long-description",
        "long-author", "long-name", "newline", "escape", "long-choice"])
def test_answers_have_types_and_limits(tmp_path: Path, yaml_text: str, message: str) -> None:
    data = tmp_path / "answers.yml"
    data.write_text(("" if yaml_text.startswith("project_name") else "project_name: demo\n") + yaml_text + "\n")
    result = cli("new", str(tmp_path / "out"), "--defaults", "--no-git", "--stack", "flask", "--data-file", str(data))
    assert result.code == 2
    assert result.one_line_error() == message
    assert not (tmp_path / "out").exists()


def test_answers_within_the_limits_are_kept_exactly(tmp_path: Path) -> None:
    data = tmp_path / "answers.yml"
    description, author = "é" * 200, "Zoë " + "x" * 96
    data.write_text(yaml.safe_dump({"description": description, "author_name": author, "project_name": "Shop"}))
    result = cli("new", str(tmp_path / "out"), "--defaults", "--no-git", "--stack", "django",
                 "--data-file", str(data))
    assert result.code == 0, result.err
    recorded = yaml.safe_load((tmp_path / "out" / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert (recorded["description"], recorded["author_name"], recorded["project_name"]) == \
        (description, author, "Shop")


def test_broken_pipes_end_quietly_with_141(tmp_path: Path) -> None:
    for args in (["rules"], ["recommend", "--defaults"], ["--help"]):
        read, write = os.pipe()
        os.close(read)  # the reader is gone before stackpick writes a byte, as with a fast `head`
        try:
            result = subprocess.run([sys.executable, "-m", "stackpick", *args], stdout=write,
                                    stderr=subprocess.PIPE, text=True, timeout=60, check=False)
        finally:
            os.close(write)
        # argparse swallows write errors of --help itself; quiet either way
        assert result.returncode == (0 if args == ["--help"] else 141), (args, result.stderr)
        assert "Error" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    shell = subprocess.run(["bash", "-o", "pipefail", "-c", f"{sys.executable} -m stackpick rules | head -1"],
                           capture_output=True, text=True, timeout=60, check=False)
    assert shell.stdout == "Weights (points a rule adds to each stack it favours):\n"
    assert shell.stderr == "" and shell.returncode in (0, 141)


ASCII = {"PYTHONIOENCODING": "ascii", "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}


def test_an_ascii_terminal_never_crashes_printing(tmp_path: Path) -> None:
    result = process([b"new", "Café-ünï".encode(), b"--defaults", b"--stack", b"flask",
                      b"--data", "project_name=Café".encode()], cwd=tmp_path, env=ASCII)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Done: Caf" in result.stdout and "is ready." in result.stdout
    project = tmp_path / "Café-ünï"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert (answers["project_name"], answers["project_slug"]) == ("Café", "cafe")
    log = subprocess.run(["git", "log", "--format=%s"], cwd=project, capture_output=True, check=True)
    assert log.stdout.decode("utf-8").startswith("Generate Café with stackpick")


def test_names_are_judged_by_unicode_not_by_the_locale(tmp_path: Path) -> None:
    result = process([b"recommend", b"--data", b"app_type=cms", b"--data", b"team_language=\xff"],
                     cwd=tmp_path, env=ASCII)
    assert result.returncode == 2
    assert result.stderr.strip() == "stackpick: error: team_language: not valid UTF-8 text"
    refused = process([b"new", b"x", b"--defaults", b"--stack", b"flask", b"--data",
                       "project_name=Ca\u0308fe\u0301 Ünï".encode()], cwd=tmp_path, env=ASCII)
    assert refused.returncode == 0, refused.stderr
    answers = yaml.safe_load((tmp_path / "x" / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert answers["project_slug"] == "cafe_uni"


@pytest.mark.parametrize(("argv", "message"), [
    (["recommend", "--data-file", ""], "--data-file is empty; pass the path of a YAML file of answers"),
    (["new", "out", "--template", "", "--defaults"],
     "--template is empty; pass a template folder, a git repository or a git URL"),
    (["new", "out", *NEW, "--vcs-ref", "v9"], "--vcs-ref v9: stackpick's templates have no such version (their "
                                              "newest versions: {versions})"),
], ids=["empty-data-file", "empty-template", "unknown-vcs-ref"])
def test_empty_or_unknown_sources_are_refused_before_anything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              argv: list[str], message: str) -> None:
    from stackpick import store
    from stackpick.copier_adapter import newest

    monkeypatch.chdir(tmp_path)
    result = cli(*argv)
    assert result.code == 2
    assert result.one_line_error() == message.format(versions=", ".join(
        newest([t.removeprefix("refs/tags/") for t in store.tags(store.store_path())])))
    assert result.out == "" and list(tmp_path.iterdir()) == []
