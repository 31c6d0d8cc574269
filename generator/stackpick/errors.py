"""Every error a user can meet, each with its exit code and a message that says what to do next."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The exit codes stackpick documents (see README, "Exit codes")."""

    OK = 0
    FAILURE = 1
    USAGE = 2
    CONFLICTS = 3
    INTERRUPTED = 130
    BROKEN_PIPE = 141  # standard output closed early (`| head`): 128 + SIGPIPE, as other Unix tools


def first_line(exc: BaseException) -> str:
    """The first line of a third-party error's message, for a one-line report of it."""
    return (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]


_SHOWN = 40  # characters of a user's value quoted back in a message


def shown(value: object) -> str:
    """A user's value as a message quotes it: repr, cut short so the message stays one short line."""
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 4] + "...'"


class StackpickError(Exception):
    """Base of every error meant for the user: one line, one exit code."""

    exit_code: ExitCode = ExitCode.FAILURE


class UsageError(StackpickError):
    """Bad command-line input: an unknown key, a value outside its choices, a bad name."""

    exit_code = ExitCode.USAGE


class InvalidAnswerError(UsageError):
    """One answer is unknown or has a value its question does not accept; `key` names it."""

    def __init__(self, key: str, message: str) -> None:
        label = key if key.isprintable() and 0 < len(key) <= _SHOWN else shown(key)
        super().__init__(f"{label}: {message}")
        self.key = key
        self.detail = message  # without the key: what a prompt shows under the question it asks


class MissingAnswersError(UsageError):
    """A non-interactive run left questions unanswered."""

    def __init__(self, keys: list[str], *, defaults_help: bool = True) -> None:
        how = ("pass them with --data KEY=VALUE, or add --defaults to take the defaults" if defaults_help
               else "they have no default; pass them with --data KEY=VALUE")
        super().__init__(f"missing answers for: {', '.join(keys)} ({how})")
        self.keys = keys


class DataFileError(UsageError):
    """The --data-file cannot be used: unreadable, too large, not UTF-8, not a bounded YAML mapping."""

    def __init__(self, path: object, message: str) -> None:
        super().__init__(f"--data-file {path}: {message}")


class DestinationError(UsageError):
    """DEST cannot take the project."""


class EnvironmentSetupError(StackpickError):
    """The environment stackpick runs in lacks something it needs (HOME, a writable folder)."""


class RenderError(StackpickError):
    """Copier failed to render the template."""


class GitError(StackpickError):
    """A git step failed."""


class TemplateStoreError(StackpickError):
    """The template store (the templates' version history) cannot be prepared."""


class UpdateError(StackpickError):
    """`update` or `check` cannot proceed."""


class NotAProjectError(UsageError):
    """PATH is not a project generated from a versioned Copier template."""


class UnsafeTemplateError(RenderError):
    """A team template uses tasks, migrations or Jinja extensions and --trust was not given."""

    def __init__(self, src: str) -> None:
        super().__init__(f"the template at {src} uses tasks, migrations or Jinja extensions, which run "
                         "code on your machine; re-run with --trust if you trust it")


class ConflictsError(StackpickError):
    """`update` merged, but left conflicts for the user to resolve."""

    exit_code = ExitCode.CONFLICTS

    def __init__(self, paths: list[str]) -> None:
        super().__init__(
            f"the update left conflicts in {len(paths)} file(s): {', '.join(paths)}; resolve the "
            "<<<<<<< markers (and any .rej file), `git add` them, then commit"
        )
        self.paths = paths


class AbortedError(StackpickError):
    """The user pressed Ctrl-C, closed the input, or a signal stopped the run."""

    exit_code = ExitCode.INTERRUPTED

    def __init__(self) -> None:
        super().__init__("interrupted: nothing was written")


class InterruptedUpdateError(UpdateError):
    """An earlier `update` was cut short (SIGKILL, power cut) while writing files: its journal remains."""

    def __init__(self, path: object) -> None:
        super().__init__(f"an earlier `stackpick update` of {path} was cut short while writing files; run "
                         f"`stackpick update --abort {path}` to put every file back as it was, then update again")


class UnresolvedConflictsError(UpdateError):
    """The last update left conflicts that are not resolved yet."""

    def __init__(self, path: object, paths: list[str]) -> None:
        super().__init__(f"{path} has unresolved conflicts from the last update in {len(paths)} file(s): "
                         f"{', '.join(paths)}; resolve the <<<<<<< markers, `git add` the files and commit, "
                         "then retry")
        self.paths = paths


class PredictedConflictsError(StackpickError):
    """`update --dry-run` found that the update would leave conflicts."""

    exit_code = ExitCode.CONFLICTS

    def __init__(self, paths: list[str]) -> None:
        super().__init__(f"the update would leave conflicts in {len(paths)} file(s): {', '.join(paths)}; "
                         "nothing was written")
        self.paths = paths


class InterruptedAfterApplyError(StackpickError):
    """A stop signal came while the update was being written; it was held until the update was complete."""

    exit_code = ExitCode.INTERRUPTED


class InterruptedAfterNewError(StackpickError):
    """A stop signal came while `new` was moving the project into place; it was held until DEST was complete."""

    exit_code = ExitCode.INTERRUPTED

    def __init__(self, dest: object) -> None:
        super().__init__(f"interrupted after the project was written: {dest} is complete")
