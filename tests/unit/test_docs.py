"""The README and the command line agree (in the spirit of sqlite-utils' test_docs.py): every command,
option and exit code that exists is documented, every documented one exists, and every option has help.

The command line is read from `stackpick COMMAND --help`, as a user sees it."""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from stackpick.cli import main
from stackpick.errors import ExitCode
from tests.support import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
OPTION = re.compile(r"(?<![\w-])(--?[a-z][a-z-]*)")


def help_text(*argv: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([*argv, "--help"]) == 0
    return out.getvalue()


def commands() -> list[str]:
    """The commands `stackpick --help` lists under COMMAND."""
    text = help_text().split("  COMMAND\n", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^    (\w+)", text, flags=re.MULTILINE)


def options(command: str) -> dict[str, str]:
    """COMMAND's options from its help, each with its help text (-h/--help left out)."""
    found: dict[str, str] = {}
    lines = help_text(command).splitlines()
    for index, line in enumerate(lines):
        match = re.match(r"^  (-[^ ].*?)(?:\s{2,}(\S.*))?$", line)
        if not match:
            continue
        following = lines[index + 1] if index + 1 < len(lines) else ""
        helped = match.group(2) or (following.strip() if re.match(r"^ {6,}\S", following) else "")
        for name in OPTION.findall(match.group(1)):
            found[name] = helped
    found.pop("-h")
    found.pop("--help")
    return found


COMMANDS = commands()
DOCUMENTED = {
    "new": r"stackpick new",
    "update": r"stackpick update",
    "check": r"stackpick check",
    "recommend": r"stackpick recommend",
    "rules": r"stackpick rules",
}


def test_the_help_lists_the_commands() -> None:
    assert COMMANDS == ["new", "update", "check", "recommend", "rules", "serve"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_commands_table(command: str) -> None:
    table = README.split("## Commands\n", 1)[1].split("\n\n", 1)[0]
    assert re.search(rf"^\| `stackpick {command}\b", table, flags=re.MULTILINE), command


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_has_help_and_is_documented(command: str) -> None:
    for option, helped in options(command).items():
        assert helped, f"stackpick {command} {option} has no help text"
        assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", README), \
            f"README never mentions {option} (stackpick {command})"


def _invocations() -> list[tuple[str, str]]:
    """Every `stackpick COMMAND ...` the README shows (code spans, code blocks with their `\\`
    continuations, the commands table): (command, the rest of the line)."""
    text = re.sub(r"\\\n\s*", " ", README)  # join shell continuation lines
    found = []
    for match in re.finditer(r"(?:^|[\s`:$(])stackpick ([a-z]+)\b([^`\n#]*)", text, flags=re.MULTILINE):
        if match.group(1) in DOCUMENTED or match.group(2).lstrip().startswith("-"):
            found.append((match.group(1), match.group(2)))
    return found


def test_every_documented_invocation_uses_real_commands_and_options() -> None:
    invocations = _invocations()
    assert {command for command, _ in invocations} == set(COMMANDS), "each command is shown in use"
    for command, rest in invocations:
        assert command in COMMANDS, command
        for option in OPTION.findall(rest):
            assert option in options(command) or option == "--help", f"stackpick {command}{rest}: {option}"


def test_every_documented_option_exists() -> None:
    """Options quoted on their own (`--data KEY=VALUE`) belong to some command."""
    real = {option for command in COMMANDS for option in options(command)} | {"--help", "--version"}
    quoted = {OPTION.match(span).group(1) for span in re.findall(r"`(--?[a-z][^`]*)`", README)}  # type: ignore[union-attr]
    assert quoted <= real, quoted - real


def test_exit_codes_are_the_documented_ones() -> None:
    table = README.split("### Exit codes\n", 1)[1].split("\n\n", 1)[0]
    documented = [int(code) for code in re.findall(r"^\| (\d+) \|", table, flags=re.MULTILINE)]
    assert documented == [int(code) for code in ExitCode]
    epilog = help_text().split("Exit codes:", 1)[1]
    assert [int(code) for code in re.findall(r"\b(\d+) [a-z]", epilog)] == documented


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_states_only_real_exit_codes(command: str) -> None:
    epilog = " ".join(help_text(command).split("Exit codes:", 1)[1].split())
    stated = [int(code) for code in re.findall(r"\b(\d+) [a-z]", epilog)]
    assert stated and set(stated) <= {int(code) for code in ExitCode}, epilog
    assert ExitCode.INTERRUPTED in stated, "Ctrl-C exits 130 from every command"


def readme_question_rows() -> list[str]:
    """The README's table of what `stackpick new` asks, as the questions data says it."""
    from stackpick.questions import DECISION_QUESTIONS, STACK_QUESTION

    rows = ["| key | values | default | question |", "|---|---|---|---|"]
    for question in (*DECISION_QUESTIONS, STACK_QUESTION):
        default = "the recommendation" if question is STACK_QUESTION else str(question.default).lower()
        for key, value, other in question.defaults_when:
            default += f" (`{str(other).lower()}` when `{key}` is `{value}`)"
        values = ", ".join(str(v).lower() for v in question.values)
        rows.append(f"| `{question.key}` | {values} | {default} | {question.text} |")
    return rows


def test_the_questions_table_is_the_questions_data() -> None:
    section = README.split("## What `stackpick new` asks\n\n", 1)[1].split("\n\n", 1)[0]
    assert section.splitlines() == readme_question_rows()
