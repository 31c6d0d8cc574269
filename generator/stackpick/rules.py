"""Decision rules as data, and a pure function from answers to a recommendation.

Each rule says: when these answers hold, this stack gains this weight, for this reason, per this
article. Weights are small integers; the team's language weighs heavily because the articles agree
that starting with the right team matters more than raw performance. No rule has a negative weight,
which keeps the properties the tests check: more concurrency never lowers Express's score, needing an
admin never lowers Django's, and a JavaScript team never pulls an Express recommendation away.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stackpick.questions import DECISION_QUESTIONS, STACKS
from stackpick.sources import EXPRESS_VS_DJANGO, KINSTA, MATCHUPS, WHICH_BACKEND

Condition = tuple[tuple[str, frozenset[Any]], ...]


def when(**conditions: Any) -> Condition:
    """Build a condition: every key must take one of the given values (a value or a tuple)."""
    return tuple(
        (key, frozenset(values if isinstance(values, tuple) else (values,)))
        for key, values in sorted(conditions.items())
    )


def matches(condition: Condition, answers: Mapping[str, Any]) -> bool:
    """True when every clause of the condition holds for the answers."""
    return all(answers.get(key) in values for key, values in condition)


def describe(condition: Condition) -> str:
    """Render a condition for humans: `app_type in {cms, ecommerce} and needs_admin = true`."""
    parts = []
    for key, values in condition:
        shown = sorted(str(v).lower() for v in values)
        parts.append(f"{key} = {shown[0]}" if len(shown) == 1 else f"{key} in {{{', '.join(shown)}}}")
    return " and ".join(parts)


@dataclass(frozen=True)
class Rule:
    """When `condition` holds, `stack` gains `weight`, because of `reason`, per `source`."""

    id: str
    condition: Condition
    stack: str
    weight: int
    reason: str
    source: str


@dataclass(frozen=True)
class Disagreement:
    """Where the articles part ways on something these answers touch."""

    id: str
    condition: Condition
    text: str


RULES: tuple[Rule, ...] = (
    # What is being built.
    Rule("realtime-event-loop", when(app_type="realtime"), "express", 4,
         "An event loop holds thousands of open, mostly idle connections cheaply, which is what chat, "
         "collaboration and live dashboards need.", MATCHUPS),
    Rule("streaming-node", when(app_type="streaming"), "express", 4,
         "Node's stream modules and non-blocking I/O pass data through without waiting for it whole.",
         EXPRESS_VS_DJANGO),
    Rule("iot-many-devices", when(app_type="iot"), "express", 3,
         "Many small concurrent device connections suit Node's single event loop.", EXPRESS_VS_DJANGO),
    Rule("spa-json-backend", when(app_type="spa_backend"), "express", 3,
         "Single-page apps talk JSON to their backend; one language across browser and server helps.",
         KINSTA),
    Rule("rest-api-flask", when(app_type="rest_api"), "flask", 2,
         "A microframework gives an API exactly the pieces it needs and nothing more.", MATCHUPS),
    Rule("rest-api-node", when(app_type="rest_api"), "express", 1,
         "JSON APIs are among Node's listed strengths.", KINSTA),
    Rule("microservice-flask", when(app_type="microservice"), "flask", 2,
         "Small, focused services fit Flask's minimal core.", MATCHUPS),
    Rule("microservice-node", when(app_type="microservice"), "express", 1,
         "Node services are light to run and easy to split apart.", EXPRESS_VS_DJANGO),
    Rule("cms-batteries", when(app_type="cms"), "django", 4,
         "Content management is Django's home ground: models, admin and auth come built in.", MATCHUPS),
    Rule("ecommerce-django", when(app_type="ecommerce"), "django", 3,
         "Shops need catalogues, orders, users and a back office, which Django ships with.", MATCHUPS),
    Rule("ecommerce-node", when(app_type="ecommerce"), "express", 2,
         "One comparison lists e-commerce platforms among Node's natural fits.", KINSTA),
    Rule("social-django", when(app_type="social"), "django", 3,
         "Social sites are large, data-rich web apps, a listed Django use case.", MATCHUPS),
    Rule("data-ml-flask", when(app_type="data_ml"), "flask", 3,
         "Python owns machine learning; a thin Flask service around a model keeps it lean.",
         WHICH_BACKEND),
    Rule("data-ml-django", when(app_type="data_ml"), "django", 2,
         "Django suits data and ML tools that also need a full web interface.", MATCHUPS),
    Rule("business-python", when(app_type="business"), "django", 3,
         "Business and finance back ends lean to Python, which handles large data sets steadily.",
         WHICH_BACKEND),
    Rule("prototype-flask", when(app_type="prototype"), "flask", 3,
         "Flask gets a prototype running with the least ceremony.", MATCHUPS),
    # Who builds it.
    Rule("team-javascript", when(team_language="javascript"), "express", 3,
         "A JavaScript team reuses its language, tools and code on the server.", MATCHUPS),
    Rule("team-python-flask", when(team_language="python"), "flask", 2,
         "Your team already knows Python, and starting with the right team matters more than raw speed.",
         EXPRESS_VS_DJANGO),
    Rule("team-python-django", when(team_language="python"), "django", 2,
         "Your team already knows Python, and starting with the right team matters more than raw speed.",
         EXPRESS_VS_DJANGO),
    Rule("team-new-learners", when(team_language="neither"), "flask", 1,
         "Python is the gentlest backend language to pick up, and Flask the smallest framework in it.",
         WHICH_BACKEND),
    # Load.
    Rule("concurrency-medium", when(concurrency="medium"), "express", 1,
         "Non-blocking I/O copes well as simultaneous connections grow.", MATCHUPS),
    Rule("concurrency-high", when(concurrency="high"), "express", 3,
         "Thousands of concurrent connections are where Node's event loop pays off most.", KINSTA),
    Rule("cpu-heavy-python-flask", when(cpu_heavy=True), "flask", 1,
         "Python's numeric libraries do heavy computation in native code.", WHICH_BACKEND),
    Rule("cpu-heavy-python-django", when(cpu_heavy=True), "django", 1,
         "Python's numeric libraries do heavy computation in native code.", WHICH_BACKEND),
    # What comes built in.
    Rule("admin-built-in", when(needs_admin=True), "django", 4,
         "Django's ORM, admin panel and auth work out of the box; elsewhere you assemble them.",
         MATCHUPS),
    # Size.
    Rule("small-flask", when(project_size="small"), "flask", 2,
         "Flask suits small and medium applications where you want control over each part.", MATCHUPS),
    Rule("small-node", when(project_size="small"), "express", 1,
         "Node is recommended for small, fast run-time apps.", WHICH_BACKEND),
    Rule("medium-flask", when(project_size="medium"), "flask", 1,
         "Flask still fits a medium-sized application.", MATCHUPS),
    Rule("medium-django", when(project_size="medium"), "django", 1,
         "Django's conventions start paying off as an application grows.", MATCHUPS),
    Rule("large-django", when(project_size="large"), "django", 3,
         "Large, complex applications benefit from Django's structure and conventions.", MATCHUPS),
    # Libraries.
    Rule("ml-libraries-flask", when(ml_libraries=True), "flask", 3,
         "pandas, scikit-learn and PyTorch run in-process only from Python.", EXPRESS_VS_DJANGO),
    Rule("ml-libraries-django", when(ml_libraries=True), "django", 3,
         "pandas, scikit-learn and PyTorch run in-process only from Python.", EXPRESS_VS_DJANGO),
)

DISAGREEMENTS: tuple[Disagreement, ...] = (
    Disagreement("ecommerce", when(app_type="ecommerce"),
                 f"E-commerce: '{MATCHUPS}' files it under Django, while '{KINSTA}' files it under Node.js."),
    Disagreement("python-scaling", when(concurrency=("medium", "high")),
                 f"Scaling Python: '{KINSTA}' calls Python hard to scale because of the GIL, "
                 f"'{EXPRESS_VS_DJANGO}' says it scales well with caching (Memcached) and NGINX, and "
                 f"'{WHICH_BACKEND}' calls it a draw."),
    Disagreement("high-load", when(concurrency="high"),
                 f"High load: '{MATCHUPS}' and '{KINSTA}' lean to Node.js for heavy concurrency, while "
                 f"'{WHICH_BACKEND}' recommends Python where high load is the concern."),
    Disagreement("cpu-heavy", when(cpu_heavy=True),
                 f"Heavy computation: '{WHICH_BACKEND}' favours Python for numeric work, '{KINSTA}' "
                 f"calls Python slow for complex calculations, and '{MATCHUPS}' says both need the work "
                 "moved off the main thread (worker threads or processes)."),
    Disagreement("large-codebase", when(project_size="large"),
                 f"Large codebases: '{MATCHUPS}' and '{WHICH_BACKEND}' favour Python for large systems, "
                 f"while '{KINSTA}' says a large Python codebase is hard to manage."),
)


@dataclass(frozen=True)
class Reason:
    """A rule that fired, as shown to the user and recorded in the project."""

    rule: str
    stack: str
    weight: int
    text: str
    source: str


@dataclass(frozen=True)
class Recommendation:
    """The outcome: the stack, every stack's score, why, and where the sources disagree."""

    stack: str
    scores: dict[str, int]
    reasons: tuple[Reason, ...]
    disagreements: tuple[str, ...] = field(default=())

    @property
    def runner_up(self) -> str:
        """The best-scoring stack other than the recommendation."""
        return ranked(self.scores)[1]

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape `recommend --json` prints."""
        return {
            "stack": self.stack,
            "scores": dict(self.scores),
            "reasons": [vars(r) for r in self.reasons],
            "disagreements": list(self.disagreements),
        }


def ranked(scores: Mapping[str, int]) -> list[str]:
    """Stacks best first; ties go to the order of STACKS so the result is deterministic."""
    return sorted(STACKS, key=lambda s: (-scores[s], STACKS.index(s)))


def with_defaults(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Fill unanswered decision questions with their defaults."""
    return {q.key: answers.get(q.key, q.default_for(answers)) for q in DECISION_QUESTIONS}


def recommend(answers: Mapping[str, Any]) -> Recommendation:
    """Score every stack from the decision answers; pure and deterministic."""
    full = with_defaults(answers)
    fired = [r for r in RULES if matches(r.condition, full)]
    scores = {s: sum(r.weight for r in fired if r.stack == s) for s in STACKS}
    reasons = tuple(
        Reason(r.id, r.stack, r.weight, r.reason, r.source)
        for r in sorted(fired, key=lambda r: (-r.weight, STACKS.index(r.stack)))
    )
    disagreements = tuple(d.text for d in DISAGREEMENTS if matches(d.condition, full))
    return Recommendation(ranked(scores)[0], scores, reasons, disagreements)
