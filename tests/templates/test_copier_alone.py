"""`copier copy` without stackpick asks stackpick's questions with stackpick's defaults, and the decision
record's answers table shows the questions as stackpick asks them (from _facts.jinja)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from stackpick.questions import BY_KEY, DECISION_QUESTIONS
from tests.support import TEMPLATES, tool


@pytest.mark.parametrize(("app_type", "ml_libraries"), [("data_ml", True), ("cms", False)])
def test_plain_copier_defaults_ml_libraries_as_stackpick_does(tmp_path: Path, app_type: str,
                                                             ml_libraries: bool) -> None:
    assert BY_KEY["ml_libraries"].default_for({"app_type": app_type}) is ml_libraries
    dest = tmp_path / "plain"
    subprocess.run([tool("copier"), "copy", "--defaults", "--data", "project_name=Plain", "--data", "stack=flask",
                    "--data", f"app_type={app_type}", str(TEMPLATES), str(dest)],
                   check=True, capture_output=True, stdin=subprocess.DEVNULL)
    recorded = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert recorded["ml_libraries"] is ml_libraries
    lines = (dest / "docs" / "decisions" / "0001-stack-choice.md").read_text().splitlines()
    table = lines[lines.index("| question | answer |") + 2:]
    expected = [f"| {q.prompt} (`{q.key}`) | `{str(recorded[q.key]).lower()}` |" for q in DECISION_QUESTIONS]
    assert table[:len(expected) + 1] == [*expected, ""]
    pairs = [f"--data {q.key}={str(recorded[q.key]).lower()}" for q in DECISION_QUESTIONS]
    start = lines.index("stackpick recommend \\")
    assert lines[start:start + len(pairs) + 2] == ["stackpick recommend \\", *[f"  {p} \\" for p in pairs[:-1]],
                                                    f"  {pairs[-1]}", "```"]
