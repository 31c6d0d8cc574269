"""Meta-tests that keep the data complete and in one place: questions, citations, labels, generated files."""

from __future__ import annotations

import re

import jinja2
import yaml

from stackpick import facts
from stackpick.alternatives import IF_CLAUSES
from stackpick.disagreements import DISAGREEMENTS
from stackpick.questions import ALL_QUESTIONS, DECISION_QUESTIONS, STACK_QUESTION
from stackpick.rules import RULES, WEIGHT_SCALE
from stackpick.sources import ARTICLES
from stackpick.stacks import BY_KEY as STACKS
from tests import articles
from tests.support import ROOT, TEMPLATES


def test_every_question_has_a_prompt_and_a_help_line() -> None:
    for question in ALL_QUESTIONS:
        assert question.prompt.strip() and question.help.strip(), question.key


def test_concurrency_help_states_the_thresholds() -> None:
    help_line = next(q.help for q in DECISION_QUESTIONS if q.key == "concurrency")
    assert "100" in help_line and "1,000" in help_line


def test_articles_are_the_indexed_files_with_their_titles_and_publishers() -> None:
    index = articles.index()
    for article in ARTICLES:
        row = next((line for line in index.splitlines() if line.startswith(f"| {article.file} |")), None)
        assert row is not None, f"{article.file} is not in shared/articles/README.md"
        assert f"| {article.title} |" in row, (article.title, row)
        if article.publisher:
            assert article.publisher in articles.text(article), article.publisher


def test_every_cited_section_is_a_heading_of_its_article() -> None:
    """A reader must find each section: it is a whole line of the article text, spelled the same."""
    citations = [(r.id, r.citation) for r in RULES]
    citations += [(d.id, p.citation) for d in DISAGREEMENTS for p in d.positions]
    for owner, citation in citations:
        assert citation.section in articles.headings(citation.article), (owner, citation.section)


def test_rules_are_complete_data() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids)), "rule ids must be unique"
    keys = {q.key: q for q in DECISION_QUESTIONS}
    weights = {w for w, _ in WEIGHT_SCALE}
    for rule in RULES:
        assert rule.stacks and set(rule.stacks) <= set(STACKS) and len(set(rule.stacks)) == len(rule.stacks)
        assert rule.weight in weights, rule.id
        assert rule.reason.endswith(".") and len(rule.reason) > 20, rule.id
        for key, values in rule.condition:
            assert values <= set(keys[key].values), (rule.id, key)
    assert {r.citation.article for r in RULES} == set(ARTICLES), "each article is drawn on"
    # One view per article per answer and stack: an article repeating itself counts once.
    seen = [(r.citation.article.key, r.condition, s) for r in RULES for s in r.stacks]
    assert len(seen) == len(set(seen))


def test_disagreements_name_at_least_two_articles() -> None:
    for item in DISAGREEMENTS:
        assert len({p.citation.article for p in item.positions}) >= 2, item.id


def _shingles(text: str, n: int = 6) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower().replace("\u2019", "'"))
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def test_reasons_and_views_are_in_our_own_words() -> None:
    """No six consecutive words of a reason or a stated view appear in any article."""
    source = set().union(*(_shingles(articles.text(a)) for a in ARTICLES))
    ours = [(r.id, r.reason) for r in RULES] + [(d.id, p.view) for d in DISAGREEMENTS for p in d.positions]
    for owner, text in ours:
        copied = _shingles(text) & source
        assert not copied, (owner, [" ".join(c) for c in copied])


def test_every_answer_reads_as_a_change() -> None:
    expected = {(q.key, v) for q in DECISION_QUESTIONS for v in q.values}
    assert set(IF_CLAUSES) == expected


def test_copier_questions_match_stackpick_questions() -> None:
    """copier.yml cannot import Python: its questions, help texts and defaults must equal ours."""
    config = yaml.safe_load((TEMPLATES / "copier.yml").read_text())
    app_types = [value for value, _ in next(q for q in DECISION_QUESTIONS if q.key == "app_type").choices]
    for question in (*DECISION_QUESTIONS, STACK_QUESTION):
        entry = config[question.key]
        if question.boolean:
            assert entry["type"] == "bool", question.key
            for app_type in app_types:  # a Jinja default renders as Copier casts it: True/False
                default = jinja2.Environment().from_string(str(entry["default"])).render(app_type=app_type)
                assert default.lower() == str(question.default_for({"app_type": app_type})).lower(), \
                    (question.key, app_type)
        else:
            assert list(entry["choices"].items()) == [(label, value) for value, label in question.choices], \
                question.key
            assert entry["default"] == question.default, question.key
    for question in ALL_QUESTIONS:
        assert config[question.key]["help"] == question.text, question.key


def test_copier_stack_labels_and_descriptions_come_from_the_stack_facts() -> None:
    """copier.yml cannot import Python: its stack labels and default description must equal ours."""
    config = yaml.safe_load((TEMPLATES / "copier.yml").read_text())
    assert config["stack"]["choices"] == {s.label: key for key, s in STACKS.items()}
    default = jinja2.Environment().from_string(config["description"]["default"])
    for key, stack in STACKS.items():
        assert default.render(stack=key) == stack.description


def test_generated_template_facts_are_fresh() -> None:
    committed = (ROOT / facts.PATH).read_text(encoding="utf-8")
    assert committed == facts.render(), "run `python -m stackpick.facts` and commit the result"


def test_templates_hold_no_copy_of_the_generated_facts() -> None:
    """Titles, labels and the decision questions' prompts reach the templates only through _facts.jinja."""
    literals = [a.title for a in ARTICLES] + [s.label for s in STACKS.values()] + [q.prompt for q in DECISION_QUESTIONS]
    for path in TEMPLATES.rglob("*.jinja"):
        if path.is_symlink() or path == ROOT / facts.PATH:
            continue
        text = path.read_text(encoding="utf-8")
        assert not [lit for lit in literals if lit in text], path


def test_readme_shows_the_json_shape_recommend_prints() -> None:
    import json

    from stackpick.recommendation import recommend

    block = (ROOT / "README.md").read_text(encoding="utf-8").split("### The JSON shape", 1)[1]
    shown = json.loads(block.split("```json\n", 1)[1].split("```", 1)[0])
    actual = recommend({}).as_dict()
    assert list(shown) == list(actual)
    assert {k: v for k, v in shown.items() if k not in ("reasons", "disagreements", "alternatives")} == \
        {k: v for k, v in actual.items() if k not in ("reasons", "disagreements", "alternatives")}
    assert shown["reasons"][0] in actual["reasons"] and shown["alternatives"][0] in actual["alternatives"]
    assert list(shown["disagreements"][0]) == ["id", "topic", "text", "positions"]


def test_readme_states_the_weight_scale_and_close_call_threshold() -> None:
    from stackpick.rules import CLOSE_CALL_MARGIN

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for weight, meaning in WEIGHT_SCALE:
        assert f"| {weight} | {meaning} |" in readme, weight
    assert f"A **close call** is a lead of {CLOSE_CALL_MARGIN} points or less" in readme
