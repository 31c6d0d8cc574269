"""The questionnaire as data, and the one place that turns it into prompts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stackpick.errors import AbortedError, InvalidAnswerError
from stackpick.stacks import BY_KEY as STACK_FACTS
from stackpick.stacks import STACKS as STACKS  # re-exported: callers import it from here too

Answer = str | bool
Answers = dict[str, Any]


@dataclass(frozen=True)
class Question:
    """One question: its key, what it asks, a help line, and its allowed values."""

    key: str
    prompt: str
    help: str
    choices: tuple[tuple[str, str], ...] = ()  # (value, label); empty for booleans
    default: Answer = ""
    boolean: bool = False

    @property
    def values(self) -> tuple[Answer, ...]:
        """The values this question accepts."""
        return (True, False) if self.boolean else tuple(v for v, _ in self.choices)

    def parse(self, raw: object) -> Answer:
        """Turn a raw value (from --data, a YAML file or a prompt) into a valid answer."""
        if self.boolean:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"true", "yes", "y", "1", "on"}:
                return True
            if text in {"false", "no", "n", "0", "off"}:
                return False
            raise InvalidAnswerError(self.key, f"expected true or false, got {raw!r}")
        value = str(raw).strip()
        if value not in self.values:
            allowed = ", ".join(str(v) for v in self.values)
            raise InvalidAnswerError(self.key, f"{value!r} is not one of: {allowed}")
        return value


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
    ),
)

STACK_QUESTION = Question(
    "stack",
    "Which stack?",
    "The recommendation is the default; pick another to override it.",
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
    """Check keys and parse values of the decision questions and `stack`; metadata stays text."""
    answers: Answers = {}
    for key, value in raw.items():
        question = BY_KEY.get(key)
        if question is None:
            raise InvalidAnswerError(key, f"unknown key; known keys: {', '.join(BY_KEY)}")
        if question.choices or question.boolean:
            answers[key] = question.parse(value)
        else:
            answers[key] = "" if value is None else str(value)
    return answers


def ask(question: Question, default: Answer | None = None, validate: Any = None) -> Answer:
    """Ask one question on the terminal with questionary; Ctrl-C or EOF becomes AbortedError."""
    import questionary  # deferred: only interactive runs pay for prompt_toolkit

    chosen = question.default if default is None else default
    instruction = f"({question.help})"
    prompt: questionary.Question
    if question.boolean:
        prompt = questionary.confirm(
            question.prompt, default=bool(chosen), instruction=f"{instruction} "
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
    answer = prompt.ask(kbi_msg="")
    if answer is None:
        raise AbortedError()
    return answer  # type: ignore[no-any-return]
