"""The decision engine judged against the articles, and its properties over all 3,456 answer sets."""

from __future__ import annotations

import collections
import itertools
from typing import Any

import pytest

from stackpick.disagreements import DISAGREEMENTS
from stackpick.questions import DECISION_QUESTIONS
from stackpick.recommendation import Recommendation, recommend
from stackpick.rules import CLOSE_CALL_MARGIN, RULES
from stackpick.stacks import STACKS

KEYS = [q.key for q in DECISION_QUESTIONS]
ALL: list[dict[str, Any]] = [dict(zip(KEYS, combo, strict=True))
                             for combo in itertools.product(*(q.values for q in DECISION_QUESTIONS))]
RECS: list[Recommendation] = [recommend(a) for a in ALL]
BY_ANSWERS: dict[tuple[Any, ...], Recommendation] = {tuple(r.answers.values()): r for r in RECS}


def lookup(answers: dict[str, Any]) -> Recommendation:
    """The recommendation for a full answer set, from the table computed once above."""
    return BY_ANSWERS[tuple(answers[k] for k in KEYS)]

# Held-out cases: what the articles themselves conclude, each with the place that says so. `close` is
# True where the articles pull in different directions for these answers, False where they agree.
CASES: list[tuple[str, dict[str, Any], str, bool]] = [
    # Tech Matchups, "Conclusion": real-time work and a JavaScript team point to Node.js.
    ("realtime-js", dict(app_type="realtime", team_language="javascript", concurrency="medium"), "express", False),
    # Tech Matchups, "Conclusion": a single-page app with a JavaScript team.
    ("spa-js", dict(app_type="spa_backend", team_language="javascript"), "express", False),
    # Tech Matchups, "Conclusion" and "Section 1": complex app, rich features, ORM and admin: Django.
    ("complex-admin-large", dict(app_type="business", team_language="both", needs_admin=True,
                                 project_size="large"), "django", False),
    # Tech Matchups, "Conclusion": small services with control over the parts: Flask.
    ("microservice-python-small", dict(app_type="microservice", team_language="python"), "flask", False),
    # Tech Matchups, "Conclusion" (Pro Tip): heavy I/O and high concurrency lean to Node.js.
    ("streaming-high", dict(app_type="streaming", team_language="both", concurrency="high"), "express", False),
    # Which Backend, "Node.js vs Python use cases": large systems with big data sets go to Python.
    ("business-python-large", dict(app_type="business", team_language="python", project_size="large"),
     "django", False),
    # Kinsta, "Node.js vs Python: Which One Should You Pick?": e-commerce among Node's fits.
    ("ecommerce-js", dict(app_type="ecommerce", team_language="javascript"), "express", False),
    # Tech Matchups, "Section 3 - Use Cases" and "Section 1": a shop with a back office, Python team.
    ("ecommerce-python-admin", dict(app_type="ecommerce", team_language="python", needs_admin=True,
                                    project_size="medium"), "django", False),
    # Which Backend, "Learning curve"; Tech Matchups, "Section 5": beginners start with Python and Flask.
    ("prototype-beginners", dict(app_type="prototype", team_language="neither"), "flask", False),
    # Express vs Django, "Use cases of Node.js": IoT with many connections, JavaScript team.
    ("iot-js-high", dict(app_type="iot", team_language="javascript", concurrency="high"), "express", False),
    # Which Backend, "Frameworks, Libraries, and Community": an API built on Python's ML libraries.
    ("api-python-ml", dict(app_type="rest_api", team_language="python", ml_libraries=True), "flask", False),
    # Tech Matchups, "Section 3" (CMS) and "Section 1" (admin panel built in).
    ("cms-admin", dict(app_type="cms", team_language="both", needs_admin=True, project_size="medium"),
     "django", False),
    # Every article sends real-time work to Node; a Python team does not outweigh four of them.
    ("realtime-python", dict(app_type="realtime", team_language="python"), "express", False),
    # A JavaScript team prototyping: the right team (Express vs Django, "When to use...") decides.
    ("prototype-js", dict(app_type="prototype", team_language="javascript"), "express", False),
    ("microservice-js", dict(app_type="microservice", team_language="javascript"), "express", False),
    # The articles disagree or split, so the result must be a close call:
    # Tech Matchups lists e-commerce for Django, Kinsta for Node.js; nothing else tips it.
    ("ecommerce-both", dict(app_type="ecommerce", team_language="both", project_size="medium"), "express", True),
    # Tech Matchups lists JSON APIs for Flask and Node, Kinsta for Node, Which Backend small apps for Node.
    ("defaults", {}, "express", True),
    # Team (Express vs Django, "When to use...") against Django's ground (CMS, admin, large apps).
    ("cms-js-admin-large", dict(app_type="cms", team_language="javascript", needs_admin=True,
                                project_size="large"), "express", True),
    # Machine learning: Python for certain, but Flask (small) against Django (ML apps with a web UI).
    ("ml-both-small", dict(app_type="data_ml", team_language="both", ml_libraries=True), "flask", True),
    ("ml-js-libraries", dict(app_type="data_ml", team_language="javascript", ml_libraries=True), "flask", True),
    # Python team, SPA: three articles list SPAs for Node, the team favours Python.
    ("spa-python", dict(app_type="spa_backend", team_language="python"), "express", True),
    # Beginners on an API: Which Backend and Tech Matchups say Python/Flask, Kinsta says Node.
    ("api-beginners", dict(app_type="rest_api", team_language="neither"), "flask", True),
    # A social site for a Python team: Django's listed use, Flask's small scope.
    ("social-python-small", dict(app_type="social", team_language="python"), "django", True),
]


@pytest.mark.parametrize(("answers", "expected", "close"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_held_out_cases(answers: dict[str, Any], expected: str, close: bool) -> None:
    rec = recommend(answers)
    assert (rec.stack, rec.close_call) == (expected, close), rec.scores


@pytest.mark.parametrize(("answers", "disagreement"), [
    (dict(app_type="ecommerce", team_language="both", project_size="medium"), "ecommerce"),
    (dict(app_type="prototype", team_language="neither"), "beginners"),
    (dict(app_type="iot", team_language="python", concurrency="high"), "high-load"),
    (dict(app_type="iot", team_language="python", concurrency="high"), "python-scaling"),
    (dict(app_type="business", cpu_heavy=True), "cpu-heavy"),
    (dict(app_type="cms", team_language="javascript", needs_admin=True, project_size="large"), "large-codebase"),
], ids=["ecommerce", "beginners", "high-load", "python-scaling", "cpu-heavy", "large-codebase"])
def test_where_the_articles_disagree_the_user_is_told(answers: dict[str, Any], disagreement: str) -> None:
    """Answer sets on which the articles truly disagree show the disagreement, and a close call where
    the disagreement is what decides."""
    rec = recommend(answers)
    assert disagreement in [d.id for d in rec.disagreements]


def test_every_disagreement_is_listed_exactly_when_its_condition_holds() -> None:
    for answers, rec in zip(ALL[::7], RECS[::7], strict=True):
        ids = [d.id for d in rec.disagreements]
        assert ids == [d.id for d in DISAGREEMENTS if all(answers[k] in v for k, v in d.condition)]


def test_python_to_javascript_team_never_moves_express_away() -> None:
    for answers, rec in zip(ALL, RECS, strict=True):
        if answers["team_language"] == "python" and rec.stack == "express":
            assert lookup({**answers, "team_language": "javascript"}).stack == "express", answers


def test_more_concurrency_never_lowers_express() -> None:
    for answers in ALL:
        scores = [lookup({**answers, "concurrency": c}).scores["express"] for c in ("low", "medium", "high")]
        assert scores == sorted(scores), answers


def test_needing_admin_never_lowers_django_nor_moves_a_django_recommendation() -> None:
    for answers, rec in zip(ALL, RECS, strict=True):
        if not answers["needs_admin"]:
            admin = lookup({**answers, "needs_admin": True})
            assert admin.scores["django"] > rec.scores["django"], answers
            assert rec.stack != "django" or admin.stack == "django", answers


def test_python_libraries_never_move_a_python_recommendation_to_express() -> None:
    for answers, rec in zip(ALL, RECS, strict=True):
        if not answers["ml_libraries"] and rec.stack != "express":
            assert lookup({**answers, "ml_libraries": True}).stack != "express", answers


def test_scores_margin_and_close_call_agree() -> None:
    for rec in RECS:
        top = rec.scores[rec.stack]
        assert top == max(rec.scores.values()) and rec.runner_up != rec.stack
        assert rec.margin == top - rec.scores[rec.runner_up] >= 0
        assert rec.close_call == (rec.margin <= CLOSE_CALL_MARGIN)
        assert rec.close_call_between == (tuple(s for s in rec.ranking if top - rec.scores[s] <= CLOSE_CALL_MARGIN)
                                          if rec.close_call else ())
        for stack in STACKS:
            assert rec.scores[stack] == sum(r.weight for r in rec.reasons if stack in r.stacks)
        texts = [r.text for r in rec.reasons]
        assert len(texts) == len(set(texts)), "a reason shared by several stacks is shown once"


def test_every_tie_is_a_close_call_with_its_reason() -> None:
    ties = [rec for rec in RECS if rec.margin == 0]
    assert ties, "some answer sets tie"
    for rec in ties:
        assert rec.close_call and rec.tie_break is not None
        first, second = (STACKS_BY_NAME[s] for s in rec.ranking[:2])
        assert rec.tie_break.startswith(first) and second in rec.tie_break.split(";")[0]
    assert all(rec.tie_break is None for rec in RECS if rec.margin > 0)


STACKS_BY_NAME = {"express": "Express", "flask": "Flask", "django": "Django"}


def test_ties_follow_the_stated_rule() -> None:
    """Equal scores go to more articles, then more app_type points, then the order of the stacks."""
    for rec in RECS:
        if rec.margin:
            continue
        tied = [s for s in rec.ranking if rec.scores[s] == rec.scores[rec.stack]]

        def key(stack: str, rec: Recommendation = rec) -> tuple[int, int, int]:
            mine = [r for r in rec.reasons if stack in r.stacks]
            built = sum(r.weight for r in mine if r.rule in APP_TYPE_RULES)
            return (-len({r.citation.article.key for r in mine}), -built, STACKS.index(stack))

        assert tied == sorted(tied, key=key), rec.scores


APP_TYPE_RULES = {r.id for r in RULES if any(k == "app_type" for k, _ in r.condition)}


def test_alternatives_really_flip_the_recommendation_and_are_the_fewest_changes() -> None:
    """Over all 3,456 answer sets: each other stack has an alternative, with changes that are never
    empty, really make it the recommendation, and are as few as any that do (checked against a
    breadth-first search over the whole answer space)."""
    distance = {stack: _distances_to(stack) for stack in STACKS}
    for answers, rec in zip(ALL, RECS, strict=True):
        assert [a.stack for a in rec.alternatives] == list(rec.ranking[1:])
        for alternative in rec.alternatives:
            changes = dict(alternative.changes)
            assert changes and all(answers[k] != v for k, v in changes.items()), (answers, alternative)
            assert lookup({**answers, **changes}).stack == alternative.stack, (answers, alternative)
            assert len(changes) == distance[alternative.stack][_key(answers)], (answers, alternative)


def _key(answers: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(answers[k] for k in KEYS)


def _distances_to(stack: str) -> dict[tuple[Any, ...], int]:
    """Fewest answer changes from every answer set to one where `stack` wins (multi-source BFS)."""
    winners = {_key(a): r.stack for a, r in zip(ALL, RECS, strict=True)}
    frontier = [k for k, w in winners.items() if w == stack]
    distance = dict.fromkeys(frontier, 0)
    queue = collections.deque(frontier)
    while queue:
        node = queue.popleft()
        for i, question in enumerate(DECISION_QUESTIONS):
            for value in question.values:
                neighbour = (*node[:i], value, *node[i + 1:])
                if neighbour not in distance:
                    distance[neighbour] = distance[node] + 1
                    queue.append(neighbour)
    return distance


def test_alternatives_prefer_keeping_what_you_build() -> None:
    rec = recommend(dict(app_type="microservice", team_language="javascript"))
    assert [a.text for a in rec.alternatives] == [
        "Flask would win if your team knew Python best.",
        "Django would win if your team knew Python best and the codebase were large.",
    ]


def test_every_stack_is_reachable_and_none_dominates() -> None:
    counts = collections.Counter(rec.stack for rec in RECS)
    assert set(counts) == set(STACKS)
    assert all(n > len(ALL) // 10 for n in counts.values()), counts


def test_deterministic_and_defaults_fill_gaps() -> None:
    for answers in ALL[::37]:
        assert recommend(answers) == recommend(dict(reversed(list(answers.items()))))
    assert recommend({}) == recommend({q.key: q.default for q in DECISION_QUESTIONS})
