"""`stackpick new --template SRC`: render a team's own Copier template, with the recommendation
when that template asks for `stack`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from stackpick import __version__, present
from stackpick.answers import Resolver
from stackpick.errors import AbortedError, MissingAnswersError, RenderError, UnsafeTemplateError, UsageError
from stackpick.new import NewOptions, choose_stack, decision_record, progress
from stackpick.questions import BY_KEY, DECISION_QUESTIONS, Answers, parse_answers
from stackpick.recommendation import recommend
from stackpick.store import portable


def load_answers(data: Sequence[str], data_file: str | None, stack: str | None) -> Answers:
    """--data for a team template: stackpick's own keys are checked, other keys pass through."""
    from stackpick.answers import merge

    raw = merge(data, data_file, stack)
    known = parse_answers({k: v for k, v in raw.items() if k in BY_KEY})
    return {**{k: v for k, v in raw.items() if k not in BY_KEY}, **known}


def template_src(src: str) -> str:
    """A local template as a portable absolute path (`~/...` under HOME); URLs stay as given."""
    local = Path(src).expanduser()
    return portable(local) if local.exists() else src


def run(opts: NewOptions) -> int:
    """Render a team template; return the exit code."""
    from stackpick import copier_adapter, render

    assert opts.template is not None
    if not opts.template.strip():
        raise UsageError("--template is empty; pass a template folder, a git repository or a git URL")
    src = template_src(opts.template)
    if opts.dest is not None:
        render.check_destination(opts.dest, force=opts.force)
    with copier_adapter.fetched(src):  # a remote template is fetched once, within git's time limit
        return _run(opts, src)


def _run(opts: NewOptions, src: str) -> int:
    from stackpick import copier_adapter, project, render

    questions, runs_code = copier_adapter.inspect_template(src, opts.vcs_ref)
    if runs_code and not opts.trust:
        raise UnsafeTemplateError(src)
    resolver = Resolver(opts.answers, use_defaults=opts.defaults, prompt=opts.interactive)
    extra: dict[str, Any] = {}
    if "stack" in questions:
        resolver.require(DECISION_QUESTIONS)
        rec = recommend(resolver.answers)
        print(present.recommendation(rec), end="\n\n", flush=True)
        offered = _choices(questions["stack"])
        if not offered or rec.stack in offered or "stack" in resolver.answers:
            stack = choose_stack(resolver, rec)
            extra["decision"] = decision_record(rec, stack)
        else:
            print(f"This template does not offer {rec.stack}; it asks for its own stack.", flush=True)
    data = {k: v for k, v in {**resolver.answers, **extra}.items() if k in questions}
    if opts.defaults or not opts.interactive:  # Copier must not prompt, nor stop at the first gap
        missing = unanswered(questions, data, use_defaults=opts.defaults)
        if missing:
            raise MissingAnswersError(missing, defaults_help=not opts.defaults)
    slug = data.get("project_slug") or data.get("project_name")
    if opts.dest is None and not slug:
        raise UsageError("pass DEST (the folder to create) when rendering a team template")
    dest = opts.dest or Path(str(slug))
    progress(f"Rendering {src} into {dest} ...")
    commit = None
    if opts.git and not project.inside_repository(dest):
        commit = (f"Generate {dest.name} from {src} with stackpick {__version__}",
                  str(data.get("author_name", "stackpick")))
    try:
        render.render(dest, data, src=src, vcs_ref=opts.vcs_ref, force=opts.force, trust=opts.trust,
                      defaults=opts.defaults or not opts.interactive, first_commit=commit)
    except RenderError as exc:
        # Ctrl-C or Ctrl-D at one of Copier's own prompts: an interruption (130), not a failure.
        cause = exc.__cause__
        if isinstance(cause, KeyboardInterrupt) or isinstance(getattr(cause, "__cause__", None), EOFError):
            raise AbortedError() from exc
        # A default our check could not see through (Copier's `UNSET`, its settings file): still exit 2.
        required = re.search(r'Question "(.+)" is required', str(exc.__cause__ or ""))
        if isinstance(exc.__cause__, ValueError) and required:
            raise MissingAnswersError([required.group(1)], defaults_help=False) from exc
        raise
    print(f"Done: {dest} is ready (template {src}). `stackpick check {dest}` tells when it is behind.")
    return 0


def unanswered(questions: dict[str, Any], data: dict[str, Any], *, use_defaults: bool) -> list[str]:
    """The template's questions Copier would ask that DATA leaves open (with --defaults: those
    without a default), in the template's order; skipped questions (`when`/`ask` false) are not."""
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment()
    context = dict(data)
    missing = []
    for key, spec in questions.items():
        if key in data:
            continue
        has_default = isinstance(spec, dict) and "default" in spec
        asked = not isinstance(spec, dict) or all(_holds(env, spec.get(flag, True), context)
                                                  for flag in ("when", "ask"))
        if has_default:
            context[key] = spec["default"]
        if asked and not (use_defaults and has_default):
            missing.append(key)
    return missing


def _holds(env: Any, condition: object, context: dict[str, Any]) -> bool:
    """A `when`/`ask` condition as Copier reads it; one we cannot evaluate counts as true (asked)."""
    if isinstance(condition, bool):
        return condition
    try:
        text = env.from_string(str(condition)).render(context)
    except Exception:  # a Copier-only filter or variable: assume the question is asked
        return True
    return text.strip().lower() not in {"", "false", "no", "n", "off", "0", "none", "null", "~"}


def _choices(question: Any) -> list[str]:
    choices = question.get("choices") if isinstance(question, dict) else None
    if isinstance(choices, dict):
        return [str(v) for v in choices.values()]
    if isinstance(choices, list):
        return [str(c[1] if isinstance(c, list | tuple) else c) for c in choices]
    return []
