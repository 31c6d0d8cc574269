"""Where the articles part ways, written once and rendered for the terminal, JSON and Markdown.

Each disagreement names every article that takes a side, with the section where it does, and states
its view in our own words. `recommend`, `stackpick rules`, SCALING.md and the decision record all
render these records, so the same disagreement always reads the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stackpick.conditions import Condition, matches, when
from stackpick.sources import EXPRESS_VS_DJANGO as EVD
from stackpick.sources import KINSTA as KIN
from stackpick.sources import MATCHUPS as MAT
from stackpick.sources import WHICH_BACKEND as WHI
from stackpick.sources import Citation, cite


@dataclass(frozen=True)
class Position:
    """One article's view, with the section that states it."""

    citation: Citation
    view: str  # a verb phrase: "counts scaling as a Python weakness: ..."

    def text(self, *, markdown: bool = False) -> str:
        """`Title (Publisher), section "Heading", <view>`."""
        return f"{self.citation.text(markdown=markdown)}, {self.view}"


@dataclass(frozen=True)
class Disagreement:
    """A point the articles disagree on, when these answers make it matter."""

    id: str
    topic: str
    condition: Condition
    positions: tuple[Position, ...]

    def text(self, *, markdown: bool = False) -> str:
        """One paragraph: the topic, then each article's view."""
        topic = f"**{self.topic}.**" if markdown else f"{self.topic}:"
        return f"{topic} " + "; ".join(p.text(markdown=markdown) for p in self.positions) + "."

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of one disagreement."""
        return {"id": self.id, "topic": self.topic, "text": self.text(),
                "positions": [{**p.citation.as_dict(), "view": p.view} for p in self.positions]}


DISAGREEMENTS: tuple[Disagreement, ...] = (
    Disagreement("ecommerce", "E-commerce", when(app_type="ecommerce"), (
        Position(cite(MAT, "Section 3 - Use Cases"), "lists e-commerce platforms among Django's uses"),
        Position(cite(KIN, "Node.js vs Python: Which One Should You Pick?"),
                 "names e-commerce among the platforms Node.js is ideal for"),
    )),
    Disagreement("beginners", "A team new to both languages", when(team_language="neither"), (
        Position(cite(WHI, "Learning curve"),
                 "calls Python the easiest backend language to start with and Node's asynchronous "
                 "style hard for new developers"),
        Position(cite(MAT, "Section 5 - Learning Curve and Community"),
                 "finds Flask quicker to learn than Django, and Node gentle mainly for people who "
                 "already write JavaScript"),
        Position(cite(KIN, "Key Node.js Features"),
                 "calls Node.js a go-to first choice for web beginners (its \"Ease of Learning\" "
                 "section still finds Python the more readable)"),
    )),
    Disagreement("python-scaling", "Scaling Python", when(concurrency=("medium", "high")), (
        Position(cite(KIN, "Scalability"),
                 "counts scaling as a Python weakness, since the interpreter is slower and the GIL "
                 "runs one thread at a time, while Node.js scales out easily and ships a cluster module"),
        Position(cite(EVD, "Python scalability"),
                 "finds Python's scaling satisfactory with tools such as Memcached and NGINX, as "
                 "large sites built on it show, and sees no true winner: early engineering practice "
                 "matters more than the language"),
        Position(cite(WHI, "Scalability"),
                 "calls it a difficult call, since Node scales through its architecture and Python "
                 "through its tools, and credits Python with coping well as code grows complex"),
        Position(cite(MAT, "Section 7 - Concurrency and Scalability"),
                 "has Python scale with several processes and async frameworks, and Node with its "
                 "event loop plus worker threads for CPU-bound work"),
    )),
    Disagreement("high-load", "High load", when(concurrency="high"), (
        Position(cite(MAT, "Conclusion"), "leans to Node.js for heavy I/O and high concurrency"),
        Position(cite(KIN, "Architecture"),
                 "credits Node's non-blocking design with thousands of concurrent connections"),
        Position(cite(EVD, "High performance"),
                 "says Node servers take more concurrent calls than conventional ones"),
        Position(cite(WHI, "Node.js vs Python performance"),
                 "recommends Python wherever high load is the concern, real-time work aside"),
    )),
    Disagreement("cpu-heavy", "Heavy computation", when(cpu_heavy=True), (
        Position(cite(WHI, "Node.js vs Python use cases"),
                 "gives numerical computing to Python and keeps Node for work without heavy processing"),
        Position(cite(KIN, "Speed"), "calls Python too slow for apps full of complex calculations"),
        Position(cite(MAT, "Section 8 - Comparison Table"),
                 "finds both limited (Node's single thread, Python's GIL) and moves the work to "
                 "worker threads or processes"),
    )),
    Disagreement("large-codebase", "Large codebases", when(project_size="large"), (
        Position(cite(MAT, "Section 3 - Use Cases"), "puts large, complex web applications first for Django"),
        Position(cite(WHI, "Node.js vs Python use cases"),
                 "advises Python for large systems and Node.js for small ones"),
        Position(cite(KIN, "Node.js vs Python: Which One Should You Pick?"),
                 "finds a large Python codebase hard to manage"),
    )),
)

BY_ID: Mapping[str, Disagreement] = {d.id: d for d in DISAGREEMENTS}


def applying(answers: Mapping[str, Any]) -> tuple[Disagreement, ...]:
    """The disagreements these (complete) answers touch, in table order."""
    return tuple(d for d in DISAGREEMENTS if matches(d.condition, answers))
