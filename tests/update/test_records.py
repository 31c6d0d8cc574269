"""Decision records stay true: `update --data` that changes a decision answer adds a record with the
recomputed recommendation and marks the earlier one superseded, on the real templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from stackpick.cli import main
from stackpick.questions import BY_KEY
from stackpick.recommendation import recommend
from tests.update.conftest import commit_all, status

RECORDS = Path("docs/decisions")


def test_a_changed_decision_answer_supersedes_the_record(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "demo"
    assert main(["new", str(dest), "--defaults", "--data", "project_name=demo", "--stack", "flask"]) == 0
    first = (dest / RECORDS / "0001-stack-choice.md").read_text()
    capsys.readouterr()
    assert main(["update", str(dest), "--data", "concurrency=high", "--data", "description=Orders"]) == 0
    out = capsys.readouterr().out
    assert "  updated   docs/decisions/0001-stack-choice.md\n" in out
    assert "  added     docs/decisions/0002-stack-choice-revisited.md\n" in out

    title, rest = first.split("\n", 1)
    assert (dest / RECORDS / "0001-stack-choice.md").read_text() == (
        f"{title}\n\nStatus: superseded by [0002-stack-choice-revisited.md](0002-stack-choice-revisited.md)\n{rest}")
    second = (dest / RECORDS / "0002-stack-choice-revisited.md").read_text()
    assert second.startswith(
        "# 2. Stack choice: Python + Flask\n\n"
        "> Supersedes [0001-stack-choice.md](0001-stack-choice.md): `stackpick update` changed `concurrency` "
        "from `low` to `high`,\n> so the recommendation below was computed again for the new answers.\n\n"
        "Status: accepted\n")
    assert f"| {BY_KEY['concurrency'].prompt} (`concurrency`) | `high` |" in second.splitlines()
    scores = recommend({"concurrency": "high"}).scores
    assert f"| Node.js + Express (`express`) | {scores['express']} |" in second
    assert f"| Python + Flask (`flask`) | {scores['flask']} |" in second

    commit_all(dest, "revisited")
    assert main(["update", str(dest), "--data", "needs_admin=true"]) == 0
    third = (dest / RECORDS / "0003-stack-choice-revisited.md").read_text()
    assert third.startswith("# 3. Stack choice: Python + Flask\n\n"
                            "> Supersedes [0002-stack-choice-revisited.md](0002-stack-choice-revisited.md): "
                            "`stackpick update` changed `needs_admin` from `false` to `true`,\n")
    assert (dest / RECORDS / "0002-stack-choice-revisited.md").read_text().count("Status: superseded by") == 1
    assert (dest / RECORDS / "0001-stack-choice.md").read_text().count("Status: superseded by") == 1
    assert status(dest) == (" M .copier-answers.yml\n M docs/decisions/0002-stack-choice-revisited.md\n"
                            "?? docs/decisions/0003-stack-choice-revisited.md\n")
