"""What would change the recommendation: the fewest answer changes that make another stack win.

The search knows nothing about rules: it asks a `judge` who wins (and by how much) for a full set of
answers, and tries changes to one question, then two, and so on, so the first size that works is the
smallest. Among equally small sets it prefers one that leaves what you are building (app_type) alone,
since the other answers describe circumstances that can differ for the same project; then the one
where the stack wins by the widest margin (a clear win, not a coin toss); then the first in
questionnaire and choice order.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from stackpick.stacks import BY_KEY as STACKS

Domain = Sequence[tuple[str, Sequence[Any]]]  # (question key, its values), in questionnaire order
Judge = Callable[[Mapping[str, Any]], tuple[str, int]]  # answers -> (winning stack, its margin)

ANCHOR = "app_type"  # what you are building: changed only when nothing else of the same size works
CHOICE = ("Among equally small sets of changes: one that keeps what you are building (app_type), then "
          "the one where that stack wins by the widest margin, then the first in questionnaire order.")

# How each answer reads after "Flask would win if ...": one clause per question value.
IF_CLAUSES: Mapping[tuple[str, Any], str] = {
    ("app_type", "realtime"): "you were building a real-time app",
    ("app_type", "streaming"): "you were building a streaming service",
    ("app_type", "iot"): "you were building an IoT backend",
    ("app_type", "spa_backend"): "you were building the backend of a single-page app",
    ("app_type", "rest_api"): "you were building a JSON REST API",
    ("app_type", "microservice"): "you were building a microservice",
    ("app_type", "cms"): "you were building a content management system",
    ("app_type", "ecommerce"): "you were building an e-commerce site",
    ("app_type", "social"): "you were building a social or community site",
    ("app_type", "data_ml"): "you were building a data science or machine-learning service",
    ("app_type", "business"): "you were building a business application",
    ("app_type", "prototype"): "you were building a prototype or MVP",
    ("team_language", "javascript"): "your team knew JavaScript best",
    ("team_language", "python"): "your team knew Python best",
    ("team_language", "both"): "your team knew both languages equally well",
    ("team_language", "neither"): "your team knew neither language yet",
    ("concurrency", "low"): "peak load stayed under 100 connections",
    ("concurrency", "medium"): "peak load were 100 to 1,000 connections",
    ("concurrency", "high"): "peak load went over 1,000 connections",
    ("cpu_heavy", True): "requests did heavy computation",
    ("cpu_heavy", False): "requests did no heavy computation",
    ("needs_admin", True): "you needed an admin panel, ORM and auth built in",
    ("needs_admin", False): "you did not need a built-in admin panel",
    ("project_size", "small"): "the codebase were small",
    ("project_size", "medium"): "the codebase were medium-sized",
    ("project_size", "large"): "the codebase were large",
    ("ml_libraries", True): "you used Python's data or ML libraries",
    ("ml_libraries", False): "you did not use Python's data or ML libraries",
}


def smallest_change(answers: Mapping[str, Any], stack: str, domain: Domain, judge: Judge) -> dict[str, Any]:
    """The fewest answer changes (by number of questions) after which `stack` is recommended."""
    for size in range(1, len(domain) + 1):
        best: tuple[tuple[bool, int], dict[str, Any]] | None = None
        for questions in itertools.combinations(domain, size):
            others = [[v for v in values if v != answers[key]] for key, values in questions]
            for values in itertools.product(*others):
                changes = {key: value for (key, _), value in zip(questions, values, strict=True)}
                winner, margin = judge({**answers, **changes})
                rank = (ANCHOR in changes, -margin)  # smaller is better; ties keep the first found
                if winner == stack and (best is None or rank < best[0]):
                    best = (rank, changes)
        if best is not None:
            return best[1]
    raise ValueError(f"no answers make {stack} the recommendation")  # unreachable: every stack can win


def sentence(stack: str, changes: Mapping[str, Any]) -> str:
    """`Flask would win if your team knew Python best and the codebase were large.`"""
    clauses = [IF_CLAUSES[(key, value)] for key, value in changes.items()]
    joined = clauses[0] if len(clauses) == 1 else ", ".join(clauses[:-1]) + " and " + clauses[-1]
    return f"{STACKS[stack].framework} would win if {joined}."
