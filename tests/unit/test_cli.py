"""The command line through `main(argv) -> int`: no terminal, no rendering."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stackpick import __version__
from stackpick.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"stackpick {__version__}"


@pytest.mark.parametrize("argv", [["--help"], ["new", "--help"], ["recommend", "--help"], ["rules", "--help"],
                                  ["update", "--help"], ["check", "--help"], ["serve", "--help"]],
                         ids=["top", "new", "recommend", "rules", "update", "check", "serve"])
def test_every_command_has_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 0
    assert "usage: stackpick" in capsys.readouterr().out


def test_rules_lists_every_rule_with_its_reason_and_section(capsys: pytest.CaptureFixture[str]) -> None:
    from stackpick.rules import RULES

    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Weights (points a rule adds to each stack it favours):\n")
    lines = out.splitlines()
    for rule in RULES:
        head = lines.index(next(line for line in lines if line.startswith(rule.id + "  ")))
        block = " ".join(line.strip() for line in lines[head:head + 8])
        assert rule.reason in block and f'section "{rule.citation.section}"' in block, rule.id


def test_recommend_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["recommend", "--json", "--data", "app_type=realtime", "--data", "team_language=javascript",
            "--data", "concurrency=high"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert list(result) == ["stack", "runner_up", "scores", "margin", "close_call", "close_call_between",
                            "tie_break", "reasons", "disagreements", "alternatives"]
    assert result["stack"] == "express"
    assert set(result["scores"]) == {"express", "flask", "django"}
    assert all(list(r) == ["rule", "stacks", "weight", "text", "source", "publisher", "section"]
               for r in result["reasons"])
    assert all(list(a) == ["stack", "changes", "text"] and a["changes"] for a in result["alternatives"])
    assert isinstance(result["disagreements"], list)


def test_recommend_reads_a_data_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text("app_type: cms\nteam_language: python\nneeds_admin: true\nproject_size: large\n")
    assert main(["recommend", "--json", "--data-file", str(answers)]) == 0
    assert json.loads(capsys.readouterr().out)["stack"] == "django"


def test_data_overrides_data_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text("app_type: cms\nneeds_admin: yes\n")
    assert main(["recommend", "--json", "--data-file", str(answers), "-d", "app_type=realtime",
                 "-d", "needs_admin=false", "-d", "team_language=javascript"]) == 0
    assert json.loads(capsys.readouterr().out)["stack"] == "express"


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["recommend", "--data", "color=blue"], "color: unknown key"),
        (["recommend", "--data", "app_type=blog"], "app_type: 'blog' is not one of: realtime"),
        (["recommend", "--data", "cpu_heavy=maybe"], "cpu_heavy: expected true or false"),
        (["recommend", "--data", "app_type"], "expected KEY=VALUE"),
        (["recommend", "--data-file", "/nonexistent/answers.yml"], "cannot read it"),
        (["new", "x", "--stack", "rails"], "invalid choice: 'rails'"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["new", "--defaults", "--stack", "flask", "--data", "project_name=a/b"], "project_name: '/'"),
        (["new", "--defaults", "--stack", "express", "--data", "project_name=http"], "clashes with a Node.js"),
        (["new", "--defaults", "--stack", "flask", "--data", "project_name=test"], "standard-library"),
        (["new", "--defaults", "--stack", "flask", "--data", "project_name=Django"], "shadow"),
        (["new", "--defaults", "--stack", "flask", "--data", "project_name=class"], "keyword"),
        (["new", "--defaults", "--stack", "flask", "--data", "project_name=" + "a" * 65], "at most 64"),
        (["new", "--defaults", "--stack", "flask", "--data", "project_name=日本"], "no ASCII letters"),
    ],
    ids=["unknown-key", "bad-choice", "bad-bool", "no-equals", "missing-file", "bad-stack",
         "bad-command", "path-in-name", "node-builtin", "stdlib-name", "shadows-dependency",
         "keyword", "too-long", "no-ascii"],
)
def test_user_errors_are_one_line_and_exit_2(argv: list[str], needle: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert needle in err and len(err.splitlines()) == 1, err
    assert "Traceback" not in captured.err + captured.out
    assert list(tmp_path.iterdir()) == [], "a refused run must write nothing"


def test_new_without_a_terminal_names_the_missing_keys(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", str(tmp_path / "demo"), "--data", "app_type=cms"]) == 2
    assert capsys.readouterr().err == (
        "stackpick: error: missing answers for: team_language, concurrency, cpu_heavy, needs_admin, project_size, "
        "ml_libraries (pass them with --data KEY=VALUE, or add --defaults to take the defaults)\n")
    assert not (tmp_path / "demo").exists()


def test_new_refuses_a_non_empty_destination(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "notes.txt").write_text("mine")
    assert main(["new", str(tmp_path / "demo"), "--defaults", "--data", "project_name=demo"]) == 2
    assert capsys.readouterr().err == (
        f"stackpick: error: {tmp_path / 'demo'} is not empty; pick another destination, or pass --force to add the "
        "template's files to it (existing files are never overwritten)\n")
    assert [p.name for p in (tmp_path / "demo").iterdir()] == ["notes.txt"]


def test_light_commands_do_not_import_copier_or_questionary() -> None:
    script = (
        "import sys, contextlib, io\n"
        "from stackpick.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "    for argv in (['--help'], ['serve', '--help'], ['rules'], ['recommend', '--json', '-d', 'app_type=cms'],\n"
        "                 ['recommend', '-d', 'app_type=iot']):\n"
        "        main(argv)\n"
        "heavy = sorted(m for m in ('copier', 'questionary', 'prompt_toolkit', 'jinja2', 'starlette', 'uvicorn',\n"
        "                           'prometheus_client', 'stackpick.web') if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            stdin=subprocess.DEVNULL)
    assert result.stdout.strip() == ""


def test_answers_are_typed_and_bounded() -> None:
    from stackpick.errors import InvalidAnswerError
    from stackpick.questions import BY_KEY, parse_answers

    assert parse_answers({"description": "  Orders API ", "author_name": 7, "cpu_heavy": "yes",
                          "project_name": None}) == {"description": "Orders API", "author_name": "7",
                                                     "cpu_heavy": True, "project_name": ""}
    for key, value, message in [
        ("description", {"a": 1}, "description: expected text, got a mapping (quote it in YAML)"),
        ("author_name", "x" * 101, "author_name: at most 100 characters (got 101)"),
        ("description", "a\u2028b", "description: must be one line of printable text (found '\\u2028')"),
        ("stack", ["flask"], "stack: expected one of: express, flask, django; got a list"),
        ("x\ny", "1", "'x\\ny': unknown key; known keys: " + ", ".join(BY_KEY)),
    ]:
        with pytest.raises(InvalidAnswerError) as caught:
            parse_answers({key: value})
        assert (str(caught.value), caught.value.key) == (message, key)


def test_ml_libraries_defaults_to_yes_after_a_data_ml_app(capsys: pytest.CaptureFixture[str]) -> None:
    from stackpick.questions import BY_KEY

    assert BY_KEY["ml_libraries"].default_for({"app_type": "data_ml"}) is True
    assert BY_KEY["ml_libraries"].default_for({"app_type": "cms"}) is False
    assert main(["recommend", "--json", "-d", "app_type=data_ml", "-d", "team_language=python"]) == 0
    reasons = {r["rule"] for r in json.loads(capsys.readouterr().out)["reasons"]}
    assert {"ml-evd", "ml-which"} <= reasons, "unanswered ml_libraries took yes"


def test_a_slug_message_fits_who_reads_it() -> None:
    from stackpick.errors import InvalidAnswerError
    from stackpick.names import check_slug

    with pytest.raises(InvalidAnswerError) as at_prompt:
        check_slug("", "flask", at_prompt=True)
    assert at_prompt.value.detail == "type a package name in lowercase ASCII, e.g. my_service"
    with pytest.raises(InvalidAnswerError) as in_script:
        check_slug("", "express")
    assert str(in_script.value) == ("project_slug: the name has no ASCII letters to make a package name from; "
                                    "pass --data project_slug=NAME")


def test_store_path_follows_xdg_only_when_absolute(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from stackpick import store

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", "rel/data")
    assert store.store_path() == tmp_path / "home" / ".local" / "share" / "stackpick" / "templates.bundle"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert store.store_path() == tmp_path / "data" / "stackpick" / "templates.bundle"
    assert store.portable(store.store_path()) == "~/.local/share/stackpick/templates.bundle"
    assert store.portable(tmp_path / "home" / "t") == "~/t"
    assert store.portable(tmp_path / "team") == str(tmp_path / "team")


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_a_signal_after_the_command_finished_does_not_change_its_outcome(sig: str) -> None:
    """The window between `main()` returning and the interpreter exiting: the outcome stands."""
    script = ("import os, signal, sys, time\n"
              "from stackpick.cli import main\n"
              "sys.argv = ['stackpick', 'rules']\n"
              "code = main()\n"
              f"os.kill(os.getpid(), signal.{sig})\n"
              "time.sleep(0.2)\n"
              "sys.exit(code)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                            check=False)
    assert (result.returncode, result.stderr) == (0, "")
