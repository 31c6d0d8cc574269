"""What a person reads: wrapped to the terminal, `source:` indent kept, colour only on a terminal."""

from __future__ import annotations

import io
import re

import pytest

from stackpick.present import recommendation, rules_text
from stackpick.recommendation import recommend
from stackpick.terminal import Terminal, for_stream

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class TtyStream(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_default_answers_read_as_a_close_call_at_60_columns() -> None:
    assert recommendation(recommend({}), Terminal(60, False)).splitlines()[:16] == [
        "Recommended: Express (Node.js)",
        "Scores: express 5  flask 5  django 0",
        "Close call between Express (Node.js) and Flask (Python): a",
        "lead of 2 points or less is close. Express and Flask tie at",
        "5 points; Express goes first because more of the articles",
        "back it (3 against 1).",
        "",
        "Why:",
        "  +3 flask    REST APIs are a listed Flask use, and Flask is",
        "              the pick when an API wants flexibility.",
        "              source: Tech Matchups: Node.js vs. Python",
        "                      (Django/Flask) (Swiftorial), section",
        "                      \"Section 3 - Use Cases\"",
        "  +2 express  Applications built around a JSON API are on",
        "              Node's list of uses.",
        "              source: Node.js vs Python (Kinsta's comparison",
    ]
    assert recommendation(recommend({}), Terminal(60, False)).splitlines()[-3:] == [
        "  - Flask would win if your team knew Python best.",
        "  - Django would win if you were building a content",
        "    management system.",
    ]


@pytest.mark.parametrize(("width", "column"), [(40, 4), (80, 20), (100, 20)])
def test_every_line_fits_and_source_lines_keep_their_indent(width: int, column: int) -> None:
    rec = recommend(dict(app_type="data_ml", team_language="neither", concurrency="high", cpu_heavy=True,
                         needs_admin=True, project_size="large", ml_libraries=True))
    lines = recommendation(rec, Terminal(width, False)).splitlines()
    assert all(len(line) <= width for line in lines), [line for line in lines if len(line) > width]
    sources = [line for line in lines if line.strip().startswith("source: ")]
    assert len(sources) == len(rec.reasons)
    assert all(line.index("source: ") == column for line in sources)
    why = lines[lines.index("Why:") + 1:]
    why = why[:why.index("")]
    assert all(line.startswith("  +") or line.startswith(" " * column) for line in why)
    assert all(len(line) <= width for line in rules_text(Terminal(width, False)).splitlines())


def test_not_a_close_call_says_by_how_much() -> None:
    rec = recommend(dict(app_type="realtime", team_language="javascript"))
    assert recommendation(rec, Terminal(80, False)).splitlines()[2] == \
        "Express (Node.js) leads Flask (Python), the runner-up, by 20 points."


def test_colour_only_when_asked() -> None:
    rec = recommend({})
    plain = recommendation(rec, Terminal(80, False))
    coloured = recommendation(rec, Terminal(80, True))
    assert not ANSI.search(plain)
    assert coloured.splitlines()[0] == "\x1b[1;32mRecommended: Express (Node.js)\x1b[0m"
    assert ANSI.sub("", coloured) == plain


@pytest.mark.parametrize(("tty", "env", "colour"), [
    (True, {}, True),
    (False, {}, False),
    (True, {"NO_COLOR": "1"}, False),
    (True, {"NO_COLOR": ""}, True),  # no-color.org: only a non-empty value disables colour
    (True, {"TERM": "dumb"}, False),
], ids=["tty", "pipe", "no-color", "empty-no-color", "dumb"])
def test_colour_follows_the_stream_and_no_color(tty: bool, env: dict[str, str], colour: bool,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    stream = TtyStream() if tty else io.StringIO()
    assert for_stream(stream).colour is colour


@pytest.mark.parametrize(("columns", "width"), [("60", 60), ("300", 100), ("10", 40)])
def test_width_follows_columns_within_bounds(columns: str, width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    assert for_stream(io.StringIO()).width == width


def test_rules_state_the_scale_close_calls_and_ties_then_each_rule() -> None:
    lines = rules_text(Terminal(100, False)).splitlines()
    assert lines[:7] == [
        "Weights (points a rule adds to each stack it favours):",
        "  1  lean: mentioned in passing, hedged, or with a condition the answers cannot check",
        "  2  fit: named as a use case or a strength of that stack",
        "  3  strong: the stack is called the best or first choice for it",
        "  4  decisive: said to outweigh the other factors, or only this stack brings it",
        "",
        "Close call: a lead of 2 points or less over the runner-up is a close call.",
    ]
    assert lines[7].startswith("Ties: Equal scores go to the stack more of the articles back")
    start = lines.index("realtime-matchups  +2 express  when app_type = realtime")
    assert lines[start + 1:start + 3] == [
        "    Chat and multiplayer games open the list of what Node.js is used for.",
        "    source: Tech Matchups: Node.js vs. Python (Django/Flask) (Swiftorial), section \"Section 3 - Use",
    ]
    assert "team-python-evd  +4 flask, django  when team_language = python" in lines
