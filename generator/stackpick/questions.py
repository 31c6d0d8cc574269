"""The questionnaire as data, and the one place that turns it into prompts."""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from stackpick.errors import AbortedError, InvalidAnswerError, shown
from stackpick.stacks import BY_KEY as STACK_FACTS
from stackpick.stacks import STACKS as STACKS  # re-exported: callers import it from here too

Answer = str | bool
Answers = dict[str, Any]


# Longest text each metadata answer may be: a longer one is a mistake (a pasted file, a wrong variable).
MAX_TEXT = {"project_name": 64, "project_slug": 214, "description": 200, "author_name": 100}
def kind(value: object) -> str:
    """What a YAML value is, in a user's words: 'a mapping', 'a list', 'a date'."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple | set):
        return "a list"
    if isinstance(value, bytes):
        return "binary data"
    if isinstance(value, bool):
        return f"the yes/no value {str(value).lower()}"
    if isinstance(value, datetime.date):
        return "a date"
    return f"a {type(value).__name__}"


@dataclass(frozen=True)
class Question:
    """One question: its key, what it asks, a help line, and its allowed values."""

    key: str
    prompt: str
    help: str
    choices: tuple[tuple[str, str], ...] = ()  # (value, label); empty for booleans and free text
    default: Answer = ""
    boolean: bool = False
    # (key, value, default): when an earlier answer KEY is VALUE, this question defaults to DEFAULT.
    defaults_when: tuple[tuple[str, str, Answer], ...] = ()

    @property
    def text(self) -> str:
        """The question in full, as a prompt shows it: the prompt, then the help in brackets."""
        return f"{self.prompt} ({self.help})"

    @property
    def values(self) -> tuple[Answer, ...]:
        """The values this question accepts."""
        return (True, False) if self.boolean else tuple(v for v, _ in self.choices)

    def default_for(self, answers: Mapping[str, object]) -> Answer:
        """The default given the answers so far."""
        for key, value, default in self.defaults_when:
            if answers.get(key) == value:
                return default
        return self.default

    def parse(self, raw: object) -> Answer:
        """Turn a raw value (from --data, a YAML file or a prompt) into a valid answer."""
        if self.boolean:
            if isinstance(raw, bool):
                return raw
            if isinstance(raw, str | int) and not isinstance(raw, bool):
                text = str(raw).strip().lower()
                if text in {"true", "yes", "y", "1", "on"}:
                    return True
                if text in {"false", "no", "n", "0", "off"}:
                    return False
                return self._refuse(f"expected true or false, got {shown(raw)}")
            return self._refuse(f"expected true or false, got {kind(raw)}")
        if self.choices:
            if not isinstance(raw, str):
                return self._refuse(f"expected one of: {self._allowed()}; got {kind(raw)}")
            value = raw.strip()
            if value not in self.values:
                return self._refuse(f"{shown(value)} is not one of: {self._allowed()}")
            return value
        return self._text(raw)

    def _text(self, raw: object) -> str:
        if raw is None:
            return ""
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            return self._refuse(f"expected text, got {kind(raw)} (quote it in YAML)")
        text = str(raw).strip()
        limit = MAX_TEXT.get(self.key)
        if limit is not None and len(text) > limit:
            return self._refuse(f"at most {limit} characters (got {len(text)})")
        bad = next((ch for ch in text if unicodedata.category(ch) in _NOT_TEXT), None)
        if bad is not None:
            return self._refuse(f"must be one line of printable text (found {shown(bad)})")
        return text

    def _allowed(self) -> str:
        return ", ".join(str(v) for v in self.values)

    def _refuse(self, message: str) -> NoReturn:
        raise InvalidAnswerError(self.key, message)


# Control characters (newlines, tabs, escapes), undecodable bytes (surrogates) and line separators.
_NOT_TEXT = frozenset({"Cc", "Cs", "Zl", "Zp"})


DECISION_QUESTIONS: tuple[Question, ...] = (
    Question(
        "app_type",
        "What are you building?",
        "Pick the closest kind of application; it weighs most in the recommendation.",
        (
            ("realtime", "Real-time app (chat, collaboration, live dashboards)"),
            ("streaming", "Streaming (media or data streams)"),
            ("iot", "IoT backend (many small device connections)"),
            ("spa_backend", "Backend for a single-page app"),
            ("rest_api", "JSON REST API"),
            ("microservice", "Microservice"),
            ("cms", "Content management system"),
            ("ecommerce", "E-commerce site"),
            ("social", "Social network or community site"),
            ("data_ml", "Data science / machine-learning service"),
            ("business", "Business application (internal tools, finance, ERP)"),
            ("prototype", "Prototype or MVP"),
        ),
        default="rest_api",
    ),
    Question(
        "team_language",
        "Which language is your team strongest in?",
        "The articles agree a team that already knows the language ships faster.",
        (
            ("javascript", "JavaScript / TypeScript"),
            ("python", "Python"),
            ("both", "Both equally"),
            ("neither", "Neither yet"),
        ),
        default="both",
    ),
    Question(
        "concurrency",
        "How many simultaneous connections at peak?",
        "low: under 100, medium: 100 to 1,000, high: over 1,000 open connections at once.",
        (
            ("low", "low (under 100)"),
            ("medium", "medium (100 to 1,000)"),
            ("high", "high (over 1,000)"),
        ),
        default="low",
    ),
    Question(
        "cpu_heavy",
        "Does a typical request do heavy computation?",
        "Image processing, number crunching or report building inside the request, not just I/O.",
        default=False,
        boolean=True,
    ),
    Question(
        "needs_admin",
        "Do you need an admin panel, ORM and auth out of the box?",
        "Say yes if staff will edit data through a back office from day one.",
        default=False,
        boolean=True,
    ),
    Question(
        "project_size",
        "Expected scope of the codebase?",
        "small: a few endpoints, medium: a product, large: many modules and teams.",
        (("small", "small"), ("medium", "medium"), ("large", "large")),
        default="small",
    ),
    Question(
        "ml_libraries",
        "Will you use Python data or ML libraries?",
        "pandas, NumPy, scikit-learn, PyTorch and the like exist only in Python.",
        default=False,
        boolean=True,
        defaults_when=(("app_type", "data_ml", True),),
    ),
)

STACK_QUESTION = Question(
    "stack",
    "Which stack?",
    "stackpick offers its recommendation as the default; pick another to override it.",
    tuple((key, STACK_FACTS[key].label) for key in STACKS),
    default="flask",
)

METADATA_QUESTIONS: tuple[Question, ...] = (
    Question("project_name", "Project name?", "A human-readable title, e.g. 'Order Service'."),
    Question(
        "project_slug",
        "Package name?",
        "Lowercase; derived from the project name and valid for the stack's package manager.",
    ),
    Question("description", "One-line description?", "Goes into the README and package metadata."),
    Question("author_name", "Author or team?", "Goes into the package metadata.", default="Your Name"),
)

ALL_QUESTIONS: tuple[Question, ...] = (*DECISION_QUESTIONS, STACK_QUESTION, *METADATA_QUESTIONS)
BY_KEY: Mapping[str, Question] = {q.key: q for q in ALL_QUESTIONS}


def parse_answers(raw: Mapping[str, object]) -> Answers:
    """Check every key and value: choices, yes/no, and metadata as one line of bounded text."""
    answers: Answers = {}
    for key, value in raw.items():
        question = BY_KEY.get(key)
        if question is None:
            raise InvalidAnswerError(key, f"unknown key; known keys: {', '.join(BY_KEY)}")
        answers[key] = question.parse(value)
    return answers


def ask(question: Question, default: Answer | None = None, validate: Any = None) -> Answer:
    """Ask one question on the terminal with questionary; Ctrl-C or EOF becomes AbortedError."""
    import questionary  # deferred: only interactive runs pay for prompt_toolkit

    chosen = question.default if default is None else default
    instruction = question.text.removeprefix(question.prompt + " ")
    prompt: questionary.Question
    if question.boolean:
        # Our own instruction replaces questionary's (y/N) hint, so it carries the hint and the default.
        hint = "(Y/n, default: yes)" if chosen else "(y/N, default: no)"
        prompt = questionary.confirm(
            question.prompt, default=bool(chosen), instruction=f"{hint} {instruction} "
        )
    elif question.choices:
        prompt = questionary.select(
            question.prompt,
            choices=[questionary.Choice(label, value=value) for value, label in question.choices],
            default=next((v for v, _ in question.choices if v == chosen), None),
            instruction=instruction,
        )
    else:
        prompt = questionary.text(
            f"{question.prompt} {instruction}", default=str(chosen), validate=validate
        )
    try:
        answer = prompt.ask(kbi_msg="")
    except EOFError:  # Ctrl-D, or the terminal went away: the same as Ctrl-C
        answer = None
    if answer is None:
        raise AbortedError()
    return answer  # type: ignore[no-any-return]
