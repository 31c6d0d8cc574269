"""The decision record rendered by Copier from the recorded decision: accepted, overridden, and on update."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stackpick.disagreements import BY_ID
from stackpick.new import decision_record
from stackpick.recommendation import recommend
from tests.support import TEMPLATES

ADR = "docs/decisions/0001-stack-choice.md"
SHOP_BOTH = dict(app_type="ecommerce", team_language="both", concurrency="low", cpu_heavy=False,
                 needs_admin=False, project_size="medium", ml_libraries=False)
SHOP_PYTHON = {**SHOP_BOTH, "team_language": "python", "needs_admin": True}


def _render(copie_session: Any, answers: dict[str, Any], stack: str, decision: dict[str, Any] | None) -> Path:
    extra = {**answers, "stack": stack, "project_name": "Shop"}
    if decision is not None:
        extra["decision"] = decision
    result = copie_session.copy(extra_answers=extra, template_dir=TEMPLATES)
    assert result.exit_code == 0, result.exception
    return Path(result.project_dir)


@pytest.fixture(scope="module")
def projects(copie_session: Any) -> dict[str, Path]:
    """One render each: an accepted close call, an override to the third stack (with the keys
    `stackpick update` adds), and the first one again as `update` renders it (no decision)."""
    overridden = {**decision_record(recommend(SHOP_PYTHON), "express"),
                  "supersedes": None, "changes": {}}
    return {
        "accepted": _render(copie_session, SHOP_BOTH, "express", decision_record(recommend(SHOP_BOTH), "express")),
        "overridden": _render(copie_session, SHOP_PYTHON, "express", overridden),
        "update": _render(copie_session, SHOP_BOTH, "express", None),
    }


def _lines(project: Path, name: str = ADR) -> list[str]:
    return (project / name).read_text(encoding="utf-8").splitlines()


def test_accepted_close_call(projects: dict[str, Path]) -> None:
    lines = _lines(projects["accepted"])
    for expected in [
        "| Node.js + Express (`express`) | 2 | recommended, chosen |",
        "| Python + Flask (`flask`) | 1 |  |",
        "| Python + Django (`django`) | 2 | runner-up |",
        "This was a **close call** between Node.js + Express, Python + Django and Python + Flask: a lead of "
        "2 points or less counts as close. Express and Django tie at 2 points; Express goes first only by "
        "the fixed order of the stacks: nothing in the articles separates them.",
        "| `ecommerce-kinsta` | express | 2 | The summary table names e-commerce platforms among Node's "
        "natural fits. | *Node.js vs Python (Kinsta's comparison on nine criteria)* (Kinsta) | "
        "\"Node.js vs Python: Which One Should You Pick?\" |",
        "| `ecommerce-matchups` | django | 2 | E-commerce platforms are a listed Django use. | *Tech Matchups: "
        "Node.js vs. Python (Django/Flask)* (Swiftorial) | \"Section 3 - Use Cases\" |",
        "- `needs_admin=true`: Django would win if you needed an admin panel, ORM and auth built in.",
        "- `team_language=neither`: Flask would win if your team knew neither language yet.",
        "This follows stackpick's recommendation. The runner-up was",
        "Python + Django (`django`).",
    ]:
        assert expected in lines, expected
    assert "- " + BY_ID["ecommerce"].text(markdown=True) in lines
    assert not [line for line in lines if "overrides" in line]


def test_overridden_names_the_true_runner_up(projects: dict[str, Path]) -> None:
    lines = _lines(projects["overridden"])
    for expected in [
        "| Node.js + Express (`express`) | 2 | chosen |",
        "| Python + Flask (`flask`) | 6 | runner-up |",
        "| Python + Django (`django`) | 13 | recommended |",
        "Python + Django leads Python + Flask by 7 points, more than the 2 points that would make it a close call.",
        "| `team-python-evd` | flask, django | 4 | Starting with the right team matters more to success than "
        "any stack's individual strengths. | *Node.js (Express) vs Python (Django): which one to choose* | "
        "\"When to use Python and when Node.js?\" |",
        "This **overrides** stackpick's recommendation, which was Python + Django",
        "(`django`). The runner-up was Python + Flask (`flask`).",
        "By stackpick's rules: Express would win if your team knew JavaScript best.",
    ]:
        assert expected in lines, expected
    assert not [line for line in lines if "close call**" in line or "follows stackpick" in line]


def test_scaling_sources_read_the_same_on_new_and_on_update(projects: dict[str, Path]) -> None:
    """SCALING.md's "what the sources say" comes from the same data as `recommend`, with or without
    the decision mapping (empty on `stackpick update`)."""
    new = (projects["accepted"] / "SCALING.md").read_text(encoding="utf-8")
    assert new == (projects["update"] / "SCALING.md").read_text(encoding="utf-8")
    section = new.split("## What the sources say about scaling", 1)[1].split("\nWhat this project does", 1)[0]
    bullets = [line for line in section.splitlines() if line.startswith("- ")]
    assert bullets == [f"- {p.text(markdown=True)}." for p in BY_ID["python-scaling"].positions]


def test_without_a_decision_the_record_points_at_recommend(projects: dict[str, Path]) -> None:
    text = (projects["update"] / ADR).read_text(encoding="utf-8")
    assert "stackpick's recommendation was not computed" in text and "runner-up" not in text.split("## Decision")[1]
