"""Decision records stay true: when `update --data` changes a decision answer, the project gets a
new record that supersedes the earlier one, which is marked superseded and otherwise left as written.

The new record is the template's own decision-record file, rendered by Copier for the new answers
with the recomputed recommendation plus two keys in `decision`: `supersedes` (the earlier record's
file name) and `changes` (key -> {"from": old, "to": new}).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stackpick.questions import DECISION_QUESTIONS, parse_answers

RECORDS = Path("docs/decisions")
TEMPLATE_RECORD = RECORDS / "0001-stack-choice.md"  # the name the template renders the record under
_NUMBERED = re.compile(r"^(\d{4})-.+\.md$")


@dataclass(frozen=True)
class Revisit:
    """The decision answers an update changes, and every decision answer after it."""

    changes: dict[str, dict[str, Any]]
    answers: dict[str, Any]
    stack: str


@dataclass(frozen=True)
class Names:
    """The earlier record (None when there is none) and the new record's number and file name."""

    earlier: str | None
    number: int
    new: str


def needed(recorded: Mapping[str, Any], data: Mapping[str, Any]) -> Revisit | None:
    """The revisit an update with DATA calls for, or None when no decision answer changes."""
    keys = [q.key for q in DECISION_QUESTIONS]
    before = parse_answers({k: recorded[k] for k in keys if k in recorded})
    after = {**before, **{k: v for k, v in data.items() if k in keys}}
    changes = {k: {"from": before.get(k), "to": after[k]} for k in keys
               if k in after and after[k] != before.get(k)}
    if not changes:
        return None
    return Revisit(changes=changes, answers=after, stack=str(data.get("stack", recorded.get("stack"))))


def names(project: Path) -> Names:
    """The newest stack-choice record in PROJECT and the next free record number."""
    folder = project / RECORDS
    found = sorted((int(m.group(1)), p.name) for p in (folder.iterdir() if folder.is_dir() else [])
                   if (m := _NUMBERED.match(p.name)))
    earlier = [name for _, name in found if "stack-choice" in name]
    number = (found[-1][0] if found else 0) + 1
    return Names(earlier=earlier[-1] if earlier else None, number=number,
                 new=f"{number:04d}-stack-choice-revisited.md")


def decision(revisit: Revisit, names: Names) -> dict[str, Any]:
    """The `decision` mapping for the new record: the recomputed recommendation and what changed."""
    from stackpick.new import decision_record
    from stackpick.recommendation import recommend

    record = decision_record(recommend(revisit.answers), revisit.stack)
    record["changes"] = revisit.changes
    if names.earlier:
        record["supersedes"] = names.earlier
    return record


def place(project: Path, rendered: Path, names: Names) -> dict[str, str]:
    """Add the rendered record to PROJECT and mark the earlier one; return {path: status}."""
    text = (rendered / TEMPLATE_RECORD).read_text(encoding="utf-8")
    # The template numbers its only record 1; this one is number N.
    text = re.sub(r"^# 1\. ", f"# {names.number}. ", text, count=1, flags=re.MULTILINE)
    (project / RECORDS).mkdir(parents=True, exist_ok=True)
    (project / RECORDS / names.new).write_text(text, encoding="utf-8")
    touched = {(RECORDS / names.new).as_posix(): "added"}
    if names.earlier:
        earlier = project / RECORDS / names.earlier
        earlier.write_text(superseded(earlier.read_text(encoding="utf-8"), names.new), encoding="utf-8")
        touched[(RECORDS / names.earlier).as_posix()] = "updated"
    return touched


def superseded(text: str, new: str) -> str:
    """TEXT with one status line inserted after its title; nothing else changes."""
    lines = text.splitlines(keepends=True)
    title = next((i for i, line in enumerate(lines) if line.startswith("# ")), -1)
    note = f"Status: superseded by [{new}]({new})\n"
    if title < 0:
        return note + "\n" + text
    return "".join([*lines[:title + 1], "\n", note, *lines[title + 1:]])
