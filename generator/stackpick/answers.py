"""Where answers come from: --data, --data-file, prompts or defaults, in that order."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from stackpick.errors import MissingAnswersError, UsageError
from stackpick.questions import Answer, Answers, Question, ask, parse_answers


def load(data: Sequence[str] = (), data_file: str | None = None, stack: str | None = None) -> Answers:
    """Merge a YAML data file, then --data pairs, then --stack; validate keys and values."""
    return parse_answers(merge(data, data_file, stack))


def merge(data: Sequence[str], data_file: str | None, stack: str | None) -> dict[str, object]:
    """The raw answers from a YAML data file, then --data pairs, then --stack, unchecked."""
    raw: dict[str, object] = {}
    if data_file:
        raw.update(read_data_file(Path(data_file)))
    for pair in data:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--data {pair!r}: expected KEY=VALUE")
        raw[key.strip()] = value
    if stack is not None:
        raw["stack"] = stack
    return raw


def read_data_file(path: Path) -> dict[str, object]:
    """A YAML mapping of answers, or a UsageError saying why the file cannot be used."""
    import yaml  # deferred: only runs that read a data file need it

    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"--data-file {path}: cannot read it ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise UsageError(f"--data-file {path}: not valid YAML ({exc.__class__.__name__})") from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise UsageError(f"--data-file {path}: expected a mapping of KEY: VALUE")
    return {str(k): v for k, v in loaded.items()}


def interactive() -> bool:
    """True when a person can answer prompts."""
    return sys.stdin.isatty() and sys.stdout.isatty()


class Resolver:
    """Fills unanswered questions: prompts on a terminal, defaults with --defaults, else an error."""

    def __init__(self, answers: Answers, *, use_defaults: bool, prompt: bool) -> None:
        self.answers = answers
        self.use_defaults = use_defaults
        self.prompt = prompt and not use_defaults

    def missing(self, questions: Iterable[Question]) -> list[str]:
        """Keys of the given questions that have no answer yet."""
        return [q.key for q in questions if q.key not in self.answers]

    def require(self, questions: Iterable[Question], defaults: dict[str, Answer] | None = None,
                validators: dict[str, Callable[[str], str]] | None = None) -> None:
        """Answer every question: by prompt, by default, or fail listing what is missing."""
        questions = list(questions)
        defaults = defaults or {}
        missing = self.missing(questions)
        if not missing:
            return
        if not self.prompt and not self.use_defaults:
            raise MissingAnswersError(missing)
        for question in questions:
            if question.key not in missing:
                continue
            default = defaults.get(question.key, question.default)
            if self.use_defaults:
                if default == "" and not question.boolean:
                    raise MissingAnswersError([question.key])
                self.answers[question.key] = default
            else:
                check = (validators or {}).get(question.key)
                self.answers[question.key] = ask(question, default, _as_prompt_validator(check))


def _as_prompt_validator(check: Callable[[str], str] | None) -> Callable[[str], bool | str] | None:
    """Adapt a raising check into questionary's validate: True, or the message to show."""
    if check is None:
        return None

    def validate(text: str) -> bool | str:
        try:
            check(text)
        except UsageError as exc:
            return str(exc)
        return True

    return validate
