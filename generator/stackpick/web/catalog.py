"""The templates a server offers: stackpick's own, plus the team templates its operator listed.

A request names a template by the name or number shown in /api/metadata, never by location, so a
user cannot make the server fetch anything. Team templates are read once at start-up and refused
there if they would run code (tasks, migrations, Jinja extensions): the server never trusts one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stackpick.errors import InvalidAnswerError, MissingAnswersError, UsageError
from stackpick.questions import BY_KEY, DECISION_QUESTIONS, parse_answers
from stackpick.web.worker import Job

OWN = "stackpick"


@dataclass(frozen=True)
class TeamTemplate:
    """A team template: the name users pick it by, where it is (never shown), its questions."""

    name: str
    src: str
    questions: Mapping[str, Any]

    def describe(self, number: int) -> dict[str, object]:
        """What /api/metadata shows: name, number and question keys (not the location)."""
        return {"id": self.name, "number": number, "questions": sorted(self.questions)}


def load(sources: Sequence[str]) -> tuple[TeamTemplate, ...]:
    """Read every --template once; a UsageError (one line) when one would run code."""
    from stackpick import copier_adapter
    from stackpick.team import template_src

    loaded: list[TeamTemplate] = []
    for raw in sources:
        src = template_src(raw)
        questions, runs_code = copier_adapter.inspect_template(src, None)
        if runs_code:
            raise UsageError(f"--template {raw}: it uses tasks, migrations or Jinja extensions, which run "
                             "code; stackpick serve never renders such a template: remove it from the list")
        base = re.sub(r"[^a-z0-9._-]+", "-", Path(raw.rstrip("/")).name.removesuffix(".git").lower()) or "team"
        name, taken = base, {OWN, *(t.name for t in loaded)}
        while name in taken:
            name = f"{base}-{len(taken)}"
        loaded.append(TeamTemplate(name, src, questions))
    return tuple(loaded)


def pick(templates: Sequence[TeamTemplate], wanted: str) -> TeamTemplate | None:
    """The template a request names (name or number from /api/metadata); None for stackpick's own."""
    if wanted in ("", OWN, "0"):
        return None
    for number, template in enumerate(templates, start=1):
        if wanted in (template.name, str(number)):
            return template
    offered = ", ".join([OWN, *(t.name for t in templates)])
    raise InvalidAnswerError("template", f"{wanted[:80]!r} is not offered here; this server offers: {offered}")


def own_job(raw: Mapping[str, object], src: str, vcs_ref: str, output: str) -> Job:
    """A render of stackpick's template, with the answers checked and completed exactly as `new --defaults`."""
    from stackpick.new import resolve_defaults

    data = resolve_defaults(parse_answers(raw))
    return Job(data, src, vcs_ref, str(data["project_slug"]), output)


def team_job(template: TeamTemplate, raw: Mapping[str, object], output: str) -> Job:
    """A render of a team template: stackpick's keys are checked, the template's own pass through."""
    from stackpick.answers import Resolver
    from stackpick.new import choose_stack, decision_record
    from stackpick.recommendation import recommend

    for key in raw:
        if key not in BY_KEY and key not in template.questions:
            known = ", ".join(sorted(set(template.questions) | set(BY_KEY)))
            raise InvalidAnswerError(key, f"unknown key for template {template.name}; known keys: {known}")
    answers = {**{k: v for k, v in raw.items() if k not in BY_KEY},
               **parse_answers({k: v for k, v in raw.items() if k in BY_KEY})}
    extra: dict[str, Any] = {}
    if "stack" in template.questions:
        resolver = Resolver(answers, use_defaults=True, prompt=False)
        resolver.require(DECISION_QUESTIONS)
        rec = recommend(resolver.answers)
        extra["decision"] = decision_record(rec, choose_stack(resolver, rec))
    data = {k: v for k, v in {**answers, **extra}.items() if k in template.questions}
    name = str(data.get("project_slug") or data.get("project_name") or "")
    top = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")
    if not top:
        raise MissingAnswersError(["project_name"])
    return Job(data, template.src, None, top, output)
