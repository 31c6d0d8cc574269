"""Conditions on answers, as data: `app_type in {cms, ecommerce} and needs_admin = true`.

Rules and disagreements both say when they apply with one of these; no lambdas, so every condition
prints in `stackpick rules` and diffs cleanly in review.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
