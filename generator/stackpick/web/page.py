"""What the server says about itself: the HTML page, the metadata JSON, the plain-text usage.

All three are built from stackpick.questions, so a question's prompt, help, choices and default
live in one place for the terminal, the page and API clients alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from stackpick import __version__
from stackpick.questions import DECISION_QUESTIONS, METADATA_QUESTIONS, STACK_QUESTION, Question
from stackpick.stacks import BY_KEY as STACKS
from stackpick.web.catalog import OWN, TeamTemplate

ASSETS = Path(__file__).resolve().parent / "assets"


def question(q: Question, group: str) -> dict[str, object]:
    """One question as JSON: key, prompt, help, type, choices with labels, default."""
    kind = "boolean" if q.boolean else ("choice" if q.choices else "text")
    return {"key": q.key, "group": group, "prompt": q.prompt, "help": q.help, "type": kind,
            "choices": [{"value": v, "label": label} for v, label in q.choices], "default": q.default}


def metadata(teams: Sequence[TeamTemplate]) -> dict[str, object]:
    """GET /api/metadata: everything a client needs to build its own form."""
    questions = ([question(q, "decision") for q in DECISION_QUESTIONS] + [question(STACK_QUESTION, "stack")]
                 + [question(q, "project") for q in METADATA_QUESTIONS])
    return {
        "version": __version__,
        "questions": questions,
        "stacks": [{"id": s.key, "label": s.title} for s in STACKS.values()],
        "templates": [{"id": OWN, "number": 0, "questions": [q["key"] for q in questions]},
                      *(t.describe(n) for n, t in enumerate(teams, start=1))],
        "formats": ["zip", "tar.gz"],
    }


def html(teams: Sequence[TeamTemplate]) -> str:
    """The page, rendered once at start-up (it depends only on the questions and templates)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(ASSETS), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    return env.get_template("index.html.jinja").render(
        version=__version__, decision=DECISION_QUESTIONS, stack=STACK_QUESTION, project=METADATA_QUESTIONS,
        teams=teams, own=OWN)


def usage(base: str) -> str:
    """GET / for curl: how to use the API."""
    keys = "\n".join(f"  {q.key:<14} {', '.join(str(v).lower() for v in q.values) or 'text'}"
                     f"  (default: {str(q.default).lower() or '-'})"
                     for q in (*DECISION_QUESTIONS, STACK_QUESTION, *METADATA_QUESTIONS))
    return f"""stackpick {__version__}: answer a few questions, get a recommended Express, Flask or Django project.

Download a project (project_name is required; every other answer has a default, and `stack`
defaults to the recommendation):
  curl -sSf '{base}/starter.tar.gz?project_name=orders&app_type=rest_api' | tar xz
  curl -sSfo orders.zip {base}/starter.zip -d project_name=orders -d team_language=python

See the recommendation alone (the JSON of `stackpick recommend --json`):
  curl -sSf {base}/api/recommend -H 'Content-Type: application/json' -d '{{"app_type": "realtime"}}'

List the files a project would have:   curl -sSf '{base}/api/tree?project_name=orders'
Every question, choice and default:     curl -sSf {base}/api/metadata

Answers:
{keys}
  template       a team template offered by this server (see /api/metadata), default: {OWN}

Bad answers get 400 with {{"error": ..., "key": ...}}.
"""
