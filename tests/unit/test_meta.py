"""Meta-tests that keep the data complete: every question helped, copier.yml in step with questions.py."""

from __future__ import annotations

import yaml

from stackpick.questions import ALL_QUESTIONS, DECISION_QUESTIONS, STACK_QUESTION
from stackpick.rules import RULES
from stackpick.sources import ARTICLES
from tests.support import ROOT, TEMPLATES


def test_every_question_has_a_prompt_and_a_help_line() -> None:
    for question in ALL_QUESTIONS:
        assert question.prompt.strip() and question.help.strip(), question.key


def test_concurrency_help_states_the_thresholds() -> None:
    help_line = next(q.help for q in DECISION_QUESTIONS if q.key == "concurrency")
    assert "100" in help_line and "1,000" in help_line


def test_every_rule_has_a_source_among_the_articles() -> None:
    readme = (ROOT.parent / "shared" / "articles" / "README.md")
    titles = readme.read_text() if readme.exists() else ""
    for rule in RULES:
        assert rule.source in ARTICLES
    for title in ARTICLES:
        assert not titles or title in titles, f"{title!r} is not an article title in shared/articles"


def test_copier_questions_match_stackpick_questions() -> None:
    config = yaml.safe_load((TEMPLATES / "copier.yml").read_text())
    for question in (*DECISION_QUESTIONS, STACK_QUESTION):
        entry = config[question.key]
        assert entry.get("help"), question.key
        if question.boolean:
            assert entry["type"] == "bool" and entry["default"] is question.default, question.key
        else:
            assert list(entry["choices"].values()) == list(question.values), question.key
            assert entry["default"] == question.default, question.key
    for question in ALL_QUESTIONS:
        assert question.key in config, question.key
