"""Command line: parse, call the API, print, return an exit code. One place turns errors into codes."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, NoReturn

from stackpick import __version__
from stackpick.errors import AbortedError, ExitCode, StackpickError, UsageError

if TYPE_CHECKING:
    import threading  # imported when a stop is re-sent, not on every start

EPILOG = ("Exit codes: 0 ok, 1 failure, 2 usage or bad input, 3 update left conflicts, 130 interrupted, "
          "141 output closed early.")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(ExitCode.USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _answer_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("answers")
    group.add_argument("--data", "-d", action="append", default=[], metavar="KEY=VALUE",
                       help="answer a question (repeatable; true/false for yes/no questions)")
    group.add_argument("--data-file", metavar="FILE", help="answers from a YAML mapping")
    group.add_argument("--defaults", action="store_true",
                       help="every unanswered question takes its default (never prompts)")


def build_parser() -> argparse.ArgumentParser:
    """The whole command set; help text lives here once."""
    parser = _Parser(
        prog="stackpick",
        description="Pick Express, Flask or Django for what you are building, with reasons and "
                    "sources, then generate a production-shaped starter project.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"stackpick {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    new = commands.add_parser("new", help="answer a few questions and generate a project",
                              description="Ask the questionnaire, recommend a stack, render it.",
                              epilog=EPILOG)
    new.add_argument("dest", nargs="?", type=Path, metavar="DEST",
                     help="folder to create (default: ./PROJECT_SLUG)")
    _answer_options(new)
    new.add_argument("--stack", choices=("express", "flask", "django"),
                     help="same as --data stack=NAME")
    new.add_argument("--no-git", dest="git", action="store_false",
                     help="do not create a git repository and first commit")
    new.add_argument("--force", action="store_true",
                     help="add the template's files to a non-empty DEST (existing files are never overwritten)")
    team = new.add_argument_group("team templates")
    team.add_argument("--template", metavar="SRC",
                      help="render your own Copier template (git URL or local path) instead of "
                           "stackpick's; the recommendation is offered when it asks for `stack`")
    team.add_argument("--vcs-ref", metavar="REF",
                      help="template version (git tag or commit) to render (default: the newest)")
    team.add_argument("--trust", action="store_true",
                      help="allow a template that runs tasks, migrations or Jinja extensions")

    update = commands.add_parser(
        "update", help="merge the newest template version into a generated project",
        description="Three-way merge of the newest template version into PATH, keeping your edits. The "
                    "merge is computed in a scratch clone of HEAD and written in one step, so an "
                    "interruption leaves the project as it was or fully updated. Refuses (and touches "
                    "nothing) on a dirty git tree, unresolved conflicts, or a change of stack or package "
                    "name.",
        epilog=EPILOG + " With --dry-run: 0 clean, 3 conflicts predicted.")
    update.add_argument("path", nargs="?", type=Path, default=Path("."), metavar="PATH",
                        help="the generated project (default: .)")
    update.add_argument("--data", "-d", action="append", default=[], metavar="KEY=VALUE",
                        help="change a recorded answer (repeatable; not `stack` or `project_slug`)")
    update.add_argument("--vcs-ref", metavar="REF", help="update to this template version instead")
    update.add_argument("--trust", action="store_true",
                        help="allow a template that runs tasks, migrations or Jinja extensions")
    update.add_argument("--dry-run", action="store_true",
                        help="compute the merge and list each file's outcome; write nothing")
    update.add_argument("--json", action="store_true", help="print the per-file outcome as JSON")
    update.add_argument("--abort", action="store_true",
                        help="undo an update that was cut short while writing (after a crash or kill)")

    check = commands.add_parser(
        "check", help="tell whether a generated project is behind its template",
        description="Exit 0 when no newer template version would change PATH's files, 1 when one "
                    "would (behind), 2 on error: not a project, an interrupted update, unresolved "
                    "conflicts, a recorded version the template does not have.",
        epilog="Exit codes: 0 up to date, 1 behind, 2 error, 130 interrupted.")
    check.add_argument("path", nargs="?", type=Path, default=Path("."), metavar="PATH",
                       help="the generated project (default: .)")
    check.add_argument("--json", action="store_true",
                       help="print one JSON object (for CI), with would_change and would_conflict")

    recommend = commands.add_parser("recommend", help="show the recommendation alone",
                                    description="Score the three stacks for your answers.",
                                    epilog=EPILOG)
    _answer_options(recommend)
    recommend.add_argument("--json", action="store_true", help="print one JSON object")

    commands.add_parser("rules", help="print the decision rules with their sources",
                        description="The weight scale, the close-call threshold and tie-break, then "
                                    "every rule (condition, stacks, weight, reason, cited section) and "
                                    "where the articles disagree.",
                        epilog=EPILOG)
    _serve_parser(commands)
    return parser


def _serve_parser(commands: argparse._SubParsersAction[_Parser]) -> None:
    serve = commands.add_parser(
        "serve", help="run the web initializr and its HTTP API (needs the web extra)",
        description="Serve the questionnaire as a web page and an HTTP API that renders projects as "
                    "zip or tar.gz archives. Stops gracefully on SIGTERM or Ctrl-C.", epilog=EPILOG)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument("--template", dest="templates", action="append", default=[], metavar="SRC",
                       help="also offer this team Copier template (repeatable; git URL or local path, "
                            "never rendered with --trust)")
    serve.add_argument("--workers", type=int, metavar="N",
                       help="render processes (default: $COMPUTE_WORKERS, else the CPUs available)")
    serve.add_argument("--max-renders", type=int, metavar="N",
                       help="renders accepted at once, running or waiting; beyond it 503 (default: 32)")
    serve.add_argument("--render-timeout", type=float, metavar="SECONDS",
                       help="longest one render may run before 504 (default: 30)")


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _Stop(BaseException):
    """Raised by the signal handler. Not a KeyboardInterrupt: CPython 3.11 marks a KeyboardInterrupt
    raised inside exec'd code (dataclasses, imports) as unhandled even once caught, and then kills
    the process with SIGINT on exit, losing our exit code 130."""


_signalled: list[int] = []


def _interrupt(signum: int, frame: FrameType | None) -> None:
    _signalled.append(signum)
    # Ignore repeats so the clean-up that the first signal starts (removing the staging folder)
    # cannot itself be cut short by an impatient second Ctrl-C or a supervisor's repeated SIGTERM.
    for sig in _STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    raise _Stop(signum)


_REDELIVER_SECONDS = 0.02


def _caused_by_stop(exc: BaseException) -> bool:
    """Whether EXC was raised because of our stop signal: a _Stop among its causes and contexts."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        if isinstance(current, _Stop):
            return True
        seen.add(id(current))
        pending += [current.__cause__, current.__context__]
    return False


def _unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """Python swallows an exception raised in a finalizer (a `__del__`, as in Copier's plumbum while
    it waits on git) and prints a traceback. Our stop is not lost that way: the handler is put back
    and the signal sent again a moment later, once the finalizer has returned."""
    if not isinstance(unraisable.exc_value, _Stop):
        sys.__unraisablehook__(unraisable)
        return
    import threading

    for sig in _STOP_SIGNALS:
        signal.signal(sig, _interrupt)
    resend = threading.Timer(_REDELIVER_SECONDS, _resend, (int(unraisable.exc_value.args[0]),))
    resend.daemon = True
    _resends.append(resend)
    resend.start()


_resends: list[threading.Timer] = []  # the re-sends of the command running now


def _resend(signum: int) -> None:
    if _resends:  # emptied by main() as it returns: the outcome is decided, and the caller's handlers are back
        os.kill(os.getpid(), signum)


def _cancel_resends() -> None:
    for timer in _resends:
        timer.cancel()
    _resends.clear()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: returns the exit code instead of exiting, so tests can call it."""
    _tolerant_streams()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help, --version and usage errors
        return _flushed(int(exc.code or 0))
    except BrokenPipeError:  # a long --help into `| head`
        return _closed_stdout()
    _signalled.clear()
    previous = {sig: signal.signal(sig, _interrupt) for sig in _STOP_SIGNALS}
    previous_hook, sys.unraisablehook = sys.unraisablehook, _unraisable
    try:
        return _flushed(_dispatch(args))
    except BrokenPipeError:
        return _closed_stdout()
    except (KeyboardInterrupt, _Stop, EOFError):  # EOFError: the input closed under a prompt
        return _fail(AbortedError())
    except StackpickError as exc:
        if _signalled:  # a library's clean-up failed while unwinding from our signal: still an interruption
            return _fail(AbortedError())
        code = _fail(exc)
        # `check` promises 0 / 1 / 2 to CI: every error (not an interruption) is 2.
        return ExitCode.USAGE if args.command == "check" and code != ExitCode.INTERRUPTED else code
    except Exception as exc:
        # Our stop, wrapped by Python: 3.11 turns an exception raised while a class is being created
        # (`__set_name__`, as in the dataclasses Copier defines at import) into a RuntimeError.
        if _caused_by_stop(exc):
            return _fail(AbortedError())
        raise
    finally:
        _cancel_resends()
        # Called by a test with its own argv: give the caller its handlers back. Run as the command
        # (argv None): the outcome is decided and printed, so a signal landing between here and the
        # interpreter's exit must not turn it into a KeyboardInterrupt death (exit -2, a traceback).
        for sig, handler in previous.items():
            signal.signal(sig, handler if argv is not None else signal.SIG_IGN)
        sys.unraisablehook = previous_hook


def _fail(exc: StackpickError) -> int:
    with contextlib.suppress(OSError):  # stderr closed too: the exit code still tells
        print(f"stackpick: error: {exc}", file=sys.stderr, flush=True)
    return int(exc.exit_code)


def _tolerant_streams() -> None:
    """Never crash printing: characters the terminal's encoding lacks are written as escapes."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def _flushed(code: int) -> int:
    """Flush stdout inside the error funnel, so a reader that went away is seen here, not at exit."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return _closed_stdout()
    return code


def _closed_stdout() -> int:
    """The reader of stdout went away (`stackpick rules | head -1`): stop quietly with 141, as `cat` would.

    stdout is pointed at /dev/null so the interpreter's own flush at exit cannot fail again.
    """
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return int(ExitCode.BROKEN_PIPE)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "rules":
        from stackpick import recommend

        return recommend.rules()
    if args.command in ("update", "check"):
        return _update_or_check(args)
    if args.command == "serve":
        return _serve(args)
    from stackpick import answers

    if args.command == "new" and args.template:
        from stackpick.team import load_answers

        loaded = load_answers(args.data, args.data_file, args.stack)
    else:
        loaded = answers.load(args.data, args.data_file, getattr(args, "stack", None))
    if args.command == "recommend":
        from stackpick import recommend

        return recommend.run(loaded, use_defaults=args.defaults, as_json=args.json)
    from stackpick.new import NewOptions, run

    return run(NewOptions(dest=args.dest, answers=loaded, defaults=args.defaults,
                          interactive=answers.interactive(), git=args.git, force=args.force,
                          template=args.template, vcs_ref=args.vcs_ref, trust=args.trust))


def _update_or_check(args: argparse.Namespace) -> int:
    if args.command == "check":
        from stackpick import check

        return check.run(args.path, as_json=args.json)
    from stackpick import update
    from stackpick.answers import merge

    data = merge(args.data, None, None)
    return update.run(update.UpdateOptions(path=args.path, data=data, vcs_ref=args.vcs_ref,
                                           trust=args.trust, dry_run=args.dry_run, as_json=args.json,
                                           abort=args.abort))


def _serve(args: argparse.Namespace) -> int:
    try:
        from stackpick.web.options import ServeOptions
        from stackpick.web.server import run
    except ImportError as exc:
        raise UsageError(f"stackpick serve needs the web extra ({exc.name} is missing): install "
                         "stackpick with it, e.g. `pip install -e '.[web]'` in a checkout or "
                         "`pipx install '.[web]'`") from exc
    given = {"workers": args.workers, "max_renders": args.max_renders, "render_timeout": args.render_timeout}
    return run(ServeOptions(host=args.host, port=args.port, templates=tuple(args.templates),
                            **{k: v for k, v in given.items() if v is not None}))

