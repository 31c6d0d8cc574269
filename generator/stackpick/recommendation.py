"""The engine: score the rules for a set of answers, rank the stacks, and say how firm the result is.

`recommend(answers)` is pure and deterministic. `Recommendation.as_dict()` is the one JSON shape that
`recommend --json`, the web service and the decision record all use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from stackpick import alternatives
from stackpick.disagreements import Disagreement, applying
from stackpick.questions import DECISION_QUESTIONS
from stackpick.rules import CLOSE_CALL_MARGIN, Rule, fired
from stackpick.sources import Citation
from stackpick.stacks import BY_KEY as STACK_FACTS
from stackpick.stacks import STACKS

KEYS: tuple[str, ...] = tuple(q.key for q in DECISION_QUESTIONS)
DOMAIN: alternatives.Domain = tuple((q.key, q.values) for q in DECISION_QUESTIONS)


@dataclass(frozen=True)
class Reason:
    """A rule that fired, as shown to the user and recorded in the project."""

    rule: str
    stacks: tuple[str, ...]
    weight: int
    text: str
    citation: Citation

    def as_dict(self) -> dict[str, Any]:
        """`{rule, stacks, weight, text, source, publisher, section}`."""
        return {"rule": self.rule, "stacks": list(self.stacks), "weight": self.weight, "text": self.text,
                **self.citation.as_dict()}


@dataclass(frozen=True)
class Alternative:
    """Another stack, and the fewest answer changes that would make it the recommendation."""

    stack: str
    changes: tuple[tuple[str, Any], ...]

    @property
    def text(self) -> str:
        """The change in words: `Flask would win if your team knew Python best.`"""
        return alternatives.sentence(self.stack, dict(self.changes))

    def as_dict(self) -> dict[str, Any]:
        """`{stack, changes: {key: value}, text}`."""
        return {"stack": self.stack, "changes": dict(self.changes), "text": self.text}


@dataclass(frozen=True)
class Recommendation:
    """The outcome: the stacks ranked, the scores, why, how close, what would change it, and where
    the sources disagree."""

    answers: dict[str, Any]  # every decision answer, defaults filled in
    ranking: tuple[str, ...]
    scores: dict[str, int]
    reasons: tuple[Reason, ...]
    disagreements: tuple[Disagreement, ...]
    tie_break: str | None

    @cached_property
    def alternatives(self) -> tuple[Alternative, ...]:
        """For each other stack, best first, the fewest answer changes that make it win (computed on
        first use: the search costs more than the scoring)."""
        return tuple(
            Alternative(s, tuple(alternatives.smallest_change(self.answers, s, DOMAIN, _judge).items()))
            for s in self.ranking[1:]
        )

    @property
    def stack(self) -> str:
        """The recommended stack."""
        return self.ranking[0]

    @property
    def runner_up(self) -> str:
        """The stack ranked second by the scores (and the tie-break), whatever the user then chooses."""
        return self.ranking[1]

    @property
    def margin(self) -> int:
        """Points between the recommendation and the runner-up."""
        return self.scores[self.stack] - self.scores[self.runner_up]

    @property
    def close_call(self) -> bool:
        """True when the lead is within CLOSE_CALL_MARGIN points."""
        return self.margin <= CLOSE_CALL_MARGIN

    @property
    def close_call_between(self) -> tuple[str, ...]:
        """Every stack within CLOSE_CALL_MARGIN of the top score, best first; empty when not close."""
        top = self.scores[self.stack]
        return tuple(s for s in self.ranking if top - self.scores[s] <= CLOSE_CALL_MARGIN) if self.close_call else ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape `recommend --json` prints (README: "The JSON shape")."""
        return {
            "stack": self.stack,
            "runner_up": self.runner_up,
            "scores": dict(self.scores),
            "margin": self.margin,
            "close_call": self.close_call,
            "close_call_between": list(self.close_call_between),
            "tie_break": self.tie_break,
            "reasons": [r.as_dict() for r in self.reasons],
            "disagreements": [d.as_dict() for d in self.disagreements],
            "alternatives": [a.as_dict() for a in self.alternatives],
        }


def with_defaults(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Fill unanswered decision questions with their defaults."""
    return {q.key: answers.get(q.key, q.default_for(answers)) for q in DECISION_QUESTIONS}


def _tally(rules: list[Rule]) -> tuple[dict[str, int], dict[str, tuple[int, int, int]]]:
    """Scores, and each stack's sort key: (score, articles backing it, points from app_type)."""
    scores = {s: sum(r.weight for r in rules if s in r.stacks) for s in STACKS}
    keys = {}
    for s in STACKS:
        mine = [r for r in rules if s in r.stacks]
        articles = len({r.citation.article.key for r in mine})
        built = sum(r.weight for r in mine if any(key == "app_type" for key, _ in r.condition))
        keys[s] = (scores[s], articles, built)
    return scores, keys


def _rank(keys: Mapping[str, tuple[int, int, int]]) -> tuple[str, ...]:
    """Best first: score, then articles backing it, then app_type points, then STACKS order."""
    return tuple(sorted(STACKS, key=lambda s: (*(-k for k in keys[s]), STACKS.index(s))))


@lru_cache(maxsize=4096)
def _outcome(values: tuple[Any, ...]) -> tuple[str, int]:
    """(winner, margin) for a full set of answers given as values in KEYS order; memoised for the
    alternatives search, which asks about the same neighbouring answer sets again and again."""
    scores, keys = _tally(fired(dict(zip(KEYS, values, strict=True))))
    first, second = _rank(keys)[:2]
    return first, scores[first] - scores[second]


def _judge(answers: Mapping[str, Any]) -> tuple[str, int]:
    return _outcome(tuple(answers[k] for k in KEYS))


def _explain_tie(ranking: tuple[str, ...], keys: Mapping[str, tuple[int, int, int]]) -> str | None:
    """Why the first of the stacks tied at the top score goes first; None when nothing tied."""
    top = keys[ranking[0]][0]
    tied = [s for s in ranking if keys[s][0] == top]
    if len(tied) < 2:
        return None
    names = [STACK_FACTS[s].framework for s in tied]
    head = f"{', '.join(names[:-1])} and {names[-1]} tie at {top} points; {names[0]} goes first"
    first, second = keys[tied[0]], keys[tied[1]]
    if first[1] != second[1]:
        return f"{head} because more of the articles back it ({first[1]} against {second[1]})."
    if first[2] != second[2]:
        return f"{head} with more points from what you are building ({first[2]} against {second[2]})."
    return f"{head} only by the fixed order of the stacks: nothing in the articles separates them."


def recommend(answers: Mapping[str, Any]) -> Recommendation:
    """Score every stack from the decision answers; pure and deterministic."""
    full = with_defaults(answers)
    rules = fired(full)
    scores, keys = _tally(rules)
    ranking = _rank(keys)
    reasons = tuple(
        Reason(r.id, r.stacks, r.weight, r.reason, r.citation)
        for r in sorted(rules, key=lambda r: (-r.weight, min(STACKS.index(s) for s in r.stacks)))
    )
    return Recommendation(full, ranking, scores, reasons, applying(full), _explain_tie(ranking, keys))
