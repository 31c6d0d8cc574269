"""`stackpick new`: questions, recommendation, choice, metadata, render, git, next steps."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stackpick import __version__, present
from stackpick.answers import Resolver, from_os
from stackpick.errors import InvalidAnswerError, UsageError
from stackpick.names import check_project_name, check_slug, slugify
from stackpick.questions import (
    DECISION_QUESTIONS,
    METADATA_QUESTIONS,
    STACK_QUESTION,
    Answers,
    ask,
)
from stackpick.recommendation import Recommendation, recommend
from stackpick.stacks import BY_KEY as STACKS

if TYPE_CHECKING:
    from stackpick.store import Store


@dataclass
class NewOptions:
    """What `new` was asked to do."""

    dest: Path | None
    answers: Answers
    defaults: bool
    interactive: bool
    git: bool = True
    force: bool = False
    template: str | None = None
    vcs_ref: str | None = None
    trust: bool = False


def decision_record(rec: Recommendation, chosen: str) -> dict[str, Any]:
    """What the generated project records about how its stack was chosen: the JSON of `recommend
    --json` (less `stack`, which would shadow the template's own `stack`), plus what was chosen.

    `runner_up` is always the stack that scored second, also when the user overrode the
    recommendation (it may then be the chosen stack). `stackpick update` may add `supersedes` and
    `changes`; the decision record template renders them."""
    shape = rec.as_dict()
    del shape["stack"]
    return {"recommended": rec.stack, "chosen": chosen, "overridden": chosen != rec.stack, **shape,
            "stackpick_version": __version__}


def choose_stack(resolver: Resolver, rec: Recommendation) -> str:
    """The recommendation, unless the user (or --stack/--data) picks another."""
    if "stack" not in resolver.answers:
        if resolver.prompt:
            choice = ask(STACK_QUESTION, default=rec.stack)
            resolver.answers["stack"] = choice
        else:
            resolver.require([STACK_QUESTION], defaults={"stack": rec.stack})
    return str(resolver.answers["stack"])


def collect_metadata(resolver: Resolver, stack: str, dest: Path | None) -> None:
    """Project name, slug, description and author, checked for the chosen stack."""
    name_q, slug_q, desc_q, author_q = METADATA_QUESTIONS
    defaults: dict[str, Any] = {"project_name": _name_from(dest)}
    resolver.require([name_q], defaults=defaults, validators={"project_name": check_project_name})
    name = check_project_name(str(resolver.answers["project_name"]))
    resolver.answers["project_name"] = name
    slug_default = slugify(name, stack)
    if "project_slug" not in resolver.answers:
        if resolver.prompt:
            resolver.require([slug_q], defaults={"project_slug": slug_default},
                             validators={"project_slug": lambda s: check_slug(s, stack, at_prompt=True)})
        else:
            resolver.answers["project_slug"] = slug_default  # derived, never "missing"
    resolver.answers["project_slug"] = check_slug(str(resolver.answers["project_slug"]), stack)
    resolver.require(
        [desc_q, author_q],
        defaults={"description": STACKS[stack].description, "author_name": "Your Name"},
    )


def _name_from(dest: Path | None) -> str:
    """The project name DEST suggests: its folder name, read as UTF-8 whatever the locale."""
    if dest is None:
        return ""
    try:
        return from_os(Path(os.path.abspath(dest)).name, "project_name")
    except InvalidAnswerError:
        return ""  # undecodable bytes: no suggestion; the name is asked for or must be passed


def template_store() -> Store:
    """The versioned template history, so projects record _src_path and _commit; also copied to the
    place projects record when it lives outside HOME."""
    from stackpick import store

    templates = store.ensure()
    recorded = Path(templates.src).expanduser()
    if recorded != templates.path:  # a store outside HOME is recorded at its default place: keep a copy there
        store.ensure(recorded)
    return templates


def render_data(resolver: Resolver, rec: Recommendation, stack: str) -> dict[str, Any]:
    """What Copier renders with: every answer, plus the record of how the stack was chosen."""
    return {**resolver.answers, "decision": decision_record(rec, stack)}


def resolve_defaults(answers: Answers) -> dict[str, Any]:
    """`new --defaults` without a terminal, as data (the web initializr renders with it)."""
    resolver = Resolver(dict(answers), use_defaults=True, prompt=False)
    resolver.require(DECISION_QUESTIONS)
    rec = recommend(resolver.answers)
    stack = choose_stack(resolver, rec)
    collect_metadata(resolver, stack, None)
    return render_data(resolver, rec, stack)


def run(opts: NewOptions) -> int:
    """Run the whole `new` flow; return the exit code."""
    if opts.template is not None:
        from stackpick import team

        return team.run(opts)
    from stackpick import project, render, store  # copier is imported only when rendering

    if opts.dest is not None:
        render.check_destination(opts.dest, force=opts.force)
    templates = template_store()
    if opts.vcs_ref is not None:  # checked before any question, as update checks it
        versions = sorted(tag.removeprefix("refs/tags/") for tag in store.tags(templates.path))
        if opts.vcs_ref not in versions:
            from stackpick.copier_adapter import newest

            raise UsageError(f"--vcs-ref {opts.vcs_ref}: stackpick's templates have no such version (their "
                             f"newest versions: {', '.join(newest(versions))})")
    resolver = Resolver(opts.answers, use_defaults=opts.defaults, prompt=opts.interactive)
    resolver.require(DECISION_QUESTIONS)
    rec = recommend(resolver.answers)
    print(present.recommendation(rec), end="\n\n", flush=True)
    stack = choose_stack(resolver, rec)
    if stack != rec.stack:
        print(f"Overriding the recommendation: {stack} instead of {rec.stack}.", flush=True)
    collect_metadata(resolver, stack, opts.dest)
    dest = opts.dest or Path(str(resolver.answers["project_slug"]))
    data = render_data(resolver, rec, stack)
    progress(f"Rendering the {stack} template into {dest} ...")
    commit = None
    if opts.git and not project.inside_repository(dest):
        commit = (f"Generate {resolver.answers['project_name']} with stackpick {__version__} ({stack})",
                  str(resolver.answers["author_name"]))
    render.render(dest, data, src=templates.src, vcs_ref=opts.vcs_ref or templates.current,
                  force=opts.force, trust=opts.trust, first_commit=commit)
    print(next_steps(dest, stack))
    return 0


def progress(message: str) -> None:
    """A progress line for a person at a terminal; CI logs stay quiet."""
    if sys.stderr.isatty():
        print(message, file=sys.stderr, flush=True)


def next_steps(dest: Path, stack: str) -> str:
    """What to type next, shown after a successful render."""
    port = 3000 if stack == "express" else 8000
    return "\n".join([
        f"Done: {dest} is ready.",
        "Next steps:",
        f"  cd {dest}",
        "  make install   # dependencies" + (" (npm ci)" if stack == "express" else " into .venv"),
        "  make test      # the project's own tests",
        f"  make serve     # production server on http://localhost:{port}",
        "Read SCALING.md and docs/decisions/0001-stack-choice.md for why and how to grow.",
    ])
