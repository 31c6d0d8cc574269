"""Plain-text views of rules and recommendations (no colour codes, so logs stay readable)."""

from __future__ import annotations

from stackpick.questions import BY_KEY
from stackpick.rules import RULES, Recommendation, describe, ranked

LABELS = {"express": "Express (Node.js)", "flask": "Flask (Python)", "django": "Django (Python)"}


def rules_table() -> str:
    """Every rule: id, condition, stack, weight, source, aligned in columns."""
    header = ("id", "condition", "stack", "weight", "source")
    rows = [(r.id, describe(r.condition), r.stack, str(r.weight), r.source) for r in RULES]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header) - 1)]
    lines = []
    for row in (header, *rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)


def recommendation(rec: Recommendation) -> str:
    """The recommendation as a person reads it: the stack, all scores, why, and disagreements."""
    scores = "  ".join(f"{s} {rec.scores[s]}" for s in ranked(rec.scores))
    lines = [f"Recommended: {LABELS[rec.stack]}", f"Scores: {scores}  (runner-up: {rec.runner_up})", "",
             "Why:"]
    for reason in rec.reasons:
        lines.append(f"  +{reason.weight} {reason.stack:<7} {reason.text}")
        lines.append(f"             source: {reason.source}")
    if rec.disagreements:
        lines += ["", "Where the articles disagree:"]
        lines += [f"  - {text}" for text in rec.disagreements]
    return "\n".join(lines)


def answers_summary(answers: dict[str, object]) -> str:
    """One line per decision answer, for the defaults a non-interactive run assumed."""
    return ", ".join(f"{k}={str(answers[k]).lower()}" for k in answers if k in BY_KEY)
