"""The decision engine: examples from the issue, properties over every answer combination, data hygiene."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from stackpick.questions import DECISION_QUESTIONS, STACKS
from stackpick.rules import DISAGREEMENTS, RULES, recommend
from stackpick.sources import ARTICLES

EXAMPLES = [
    ("realtime-js-high", dict(app_type="realtime", team_language="javascript", concurrency="high"), "express"),
    ("cms-python-admin-large", dict(app_type="cms", team_language="python", needs_admin=True,
                                    project_size="large"), "django"),
    ("rest-python-low-small", dict(app_type="rest_api", team_language="python", concurrency="low",
                                   project_size="small"), "flask"),
    ("ml-python-cpu-small", dict(app_type="data_ml", team_language="python", cpu_heavy=True,
                                 project_size="small", ml_libraries=True, needs_admin=False), "flask"),
    ("spa-js", dict(app_type="spa_backend", team_language="javascript"), "express"),
    ("streaming-both", dict(app_type="streaming", team_language="both"), "express"),
    ("iot-js-high", dict(app_type="iot", team_language="javascript", concurrency="high"), "express"),
    ("ecommerce-python-admin", dict(app_type="ecommerce", team_language="python", needs_admin=True), "django"),
    ("social-python-medium", dict(app_type="social", team_language="python", project_size="medium"), "django"),
    ("business-python-large", dict(app_type="business", team_language="python", project_size="large"), "django"),
    ("prototype-neither", dict(app_type="prototype", team_language="neither"), "flask"),
    ("microservice-python", dict(app_type="microservice", team_language="python"), "flask"),
    ("ml-python-admin-large", dict(app_type="data_ml", team_language="python", ml_libraries=True,
                                   needs_admin=True, project_size="large"), "django"),
]


@pytest.mark.parametrize(("answers", "expected"), [(a, e) for _, a, e in EXAMPLES],
                         ids=[i for i, _, _ in EXAMPLES])
def test_examples(answers: dict[str, Any], expected: str) -> None:
    assert recommend(answers).stack == expected


def all_answers() -> list[dict[str, Any]]:
    """Every combination of decision answers (3,456 of them)."""
    keys = [q.key for q in DECISION_QUESTIONS]
    return [dict(zip(keys, combo, strict=True))
            for combo in itertools.product(*(q.values for q in DECISION_QUESTIONS))]


ALL = all_answers()


def test_python_to_javascript_team_never_moves_express_away() -> None:
    for answers in ALL:
        if answers["team_language"] == "python" and recommend(answers).stack == "express":
            assert recommend({**answers, "team_language": "javascript"}).stack == "express", answers


def test_more_concurrency_never_lowers_express() -> None:
    levels = ("low", "medium", "high")
    for answers in ALL:
        scores = [recommend({**answers, "concurrency": c}).scores["express"] for c in levels]
        assert scores == sorted(scores), answers


def test_needing_admin_never_lowers_django() -> None:
    for answers in ALL:
        if not answers["needs_admin"]:
            without = recommend(answers).scores["django"]
            assert recommend({**answers, "needs_admin": True}).scores["django"] >= without, answers


def test_deterministic_and_consistent() -> None:
    for answers in ALL[::37]:
        first, second = recommend(answers), recommend(dict(reversed(list(answers.items()))))
        assert first == second
        assert first.scores[first.stack] == max(first.scores.values())
        assert first.runner_up != first.stack
        assert sum(r.weight for r in first.reasons if r.stack == "flask") == first.scores["flask"]


def test_every_stack_is_reachable() -> None:
    assert {recommend(a).stack for a in ALL} == set(STACKS)


def test_rules_are_complete_data() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids)), "rule ids must be unique"
    keys = {q.key: q for q in DECISION_QUESTIONS}
    for rule in RULES:
        assert rule.source in ARTICLES, rule.id
        assert rule.stack in STACKS and rule.weight > 0, rule.id
        assert rule.reason.endswith(".") and len(rule.reason) > 20, rule.id
        for key, values in rule.condition:
            assert values <= set(keys[key].values), (rule.id, key)
    # Each of the four articles is drawn on.
    assert {r.source for r in RULES} == set(ARTICLES)


def test_disagreements_are_reported_where_the_articles_part_ways() -> None:
    shop = recommend({"app_type": "ecommerce"})
    assert any("E-commerce" in d for d in shop.disagreements)
    assert any("Scaling Python" in d for d in recommend({"concurrency": "high"}).disagreements)
    assert recommend({"app_type": "rest_api"}).disagreements == ()
    for disagreement in DISAGREEMENTS:
        assert sum(title in disagreement.text for title in ARTICLES) >= 2, disagreement.id


def test_unanswered_questions_take_their_defaults() -> None:
    assert recommend({}) == recommend({q.key: q.default for q in DECISION_QUESTIONS})
