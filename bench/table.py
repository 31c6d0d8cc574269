"""Plain-text tables that paste as Markdown, and the verdicts every section reports."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """One checked promise: what was compared and whether it held."""

    claim: str
    passed: bool

    def line(self) -> str:
        """`PASS  claim` or `FAIL  claim`."""
        return f"{'PASS' if self.passed else 'FAIL'}  {self.claim}"


def markdown(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table with padded columns (readable in a terminal too)."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def median(values: Sequence[float]) -> float:
    """The median (robust to the odd slow run a shared machine produces)."""
    return statistics.median(values)


def ms(seconds: float) -> str:
    """Seconds as milliseconds, e.g. `123 ms`."""
    return f"{seconds * 1000:.1f} ms"


def ratio(value: float) -> str:
    """A ratio such as `1.07x`."""
    return f"{value:.2f}x"
