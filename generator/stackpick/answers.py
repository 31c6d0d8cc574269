"""Where answers come from: --data, --data-file, prompts or defaults, in that order."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from stackpick.errors import DataFileError, InvalidAnswerError, MissingAnswersError, UsageError, shown
from stackpick.questions import Answer, Answers, Question, ask, parse_answers

MAX_DATA_FILE = 64 * 1024  # bytes; a questionnaire's answers fit in a few hundred
MAX_YAML_DEPTH = 20  # nesting levels; stackpick's answers need 1, a team template's a few


def load(data: Sequence[str] = (), data_file: str | None = None, stack: str | None = None) -> Answers:
    """Merge a YAML data file, then --data pairs, then --stack; validate keys and values."""
    return parse_answers(merge(data, data_file, stack))


def merge(data: Sequence[str], data_file: str | None, stack: str | None) -> dict[str, object]:
    """The raw answers from a YAML data file, then --data pairs, then --stack, unchecked."""
    raw: dict[str, object] = {}
    if data_file is not None:
        if not data_file:  # `--data-file ""` (an unset variable in a script) is a mistake, not "no file"
            raise UsageError("--data-file is empty; pass the path of a YAML file of answers")
        raw.update(read_data_file(Path(data_file)))
    for pair in data:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--data {shown(pair)}: expected KEY=VALUE")
        key = from_os(key.strip(), "data")
        raw[key] = from_os(value, key)
    if stack is not None:
        raw["stack"] = stack
    return raw


def from_os(text: str, key: str) -> str:
    """Text from argv or a file name, decoded as UTF-8 whatever the locale says.

    In an ASCII locale Python decodes argv bytes it cannot read as lone surrogates; the bytes
    themselves are usually UTF-8 ("Café"), so judge them by Unicode, not by the locale.
    """
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    try:
        return os.fsencode(text).decode("utf-8")
    except UnicodeError as exc:
        raise InvalidAnswerError(key, "not valid UTF-8 text") from exc


def read_data_file(path: Path) -> dict[str, object]:
    """A YAML mapping of answers, or a DataFileError saying why the file cannot be used."""
    text = _read_bounded(path)
    import yaml  # deferred: only runs that read a data file need it

    try:
        loaded = yaml.load(text, Loader=_loader())  # a SafeLoader that also refuses aliases
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = " ".join(str(getattr(exc, "problem", None) or exc.__class__.__name__).split())
        raise DataFileError(path, f"not valid YAML{where}: {problem}") from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise DataFileError(path, "expected a mapping of KEY: VALUE")
    return {str(k): v for k, v in loaded.items()}


def _read_bounded(path: Path) -> str:
    """The file's text: a regular file of at most MAX_DATA_FILE bytes of UTF-8, read without blocking."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise DataFileError(path, f"cannot read it ({exc.strerror})") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise DataFileError(path, "not a regular file (a device, FIFO or folder cannot hold answers)")
        if info.st_size > MAX_DATA_FILE:
            raise DataFileError(path, f"larger than {MAX_DATA_FILE // 1024} KiB ({info.st_size} bytes)")
        chunks, size = [], 0
        while size <= MAX_DATA_FILE:  # the size can change under us: bound the read itself
            chunk = os.read(fd, MAX_DATA_FILE + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise DataFileError(path, f"cannot read it ({exc.strerror})") from exc
    finally:
        os.close(fd)
    if size > MAX_DATA_FILE:
        raise DataFileError(path, f"larger than {MAX_DATA_FILE // 1024} KiB")
    data = b"".join(chunks)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFileError(path, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") \
            from exc


def _loader() -> Any:
    """PyYAML's SafeLoader that refuses aliases and deep nesting, so loading is linear in the file."""
    import yaml

    class BoundedLoader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            if self.check_event(yaml.AliasEvent):
                raise yaml.composer.ComposerError(
                    None, None, "aliases (*name) are not allowed in answers; write the value out", mark)
            if self.depth >= MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"nested deeper than {MAX_YAML_DEPTH} levels", mark)
            self.depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    return BoundedLoader


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
                validators: dict[str, Callable[[str], Answer]] | None = None) -> None:
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
            default = defaults.get(question.key, question.default_for(self.answers))
            if self.use_defaults:
                if default == "" and not question.boolean:
                    raise MissingAnswersError([question.key], defaults_help=False)
                self.answers[question.key] = default
            else:
                check = (validators or {}).get(question.key)
                if check is None and not (question.choices or question.boolean):
                    check = question.parse  # free text: one line, within its length limit
                answer = ask(question, default, _as_prompt_validator(check))
                self.answers[question.key] = question.parse(answer) if check is question.parse else answer


def _as_prompt_validator(check: Callable[[str], Answer] | None) -> Callable[[str], bool | str] | None:
    """Adapt a raising check into questionary's validate: True, or the message to show."""
    if check is None:
        return None

    def validate(text: str) -> bool | str:
        try:
            check(text)
        except InvalidAnswerError as exc:
            return exc.detail  # shown under the question it is about: no key prefix
        except UsageError as exc:
            return str(exc)
        return True

    return validate
