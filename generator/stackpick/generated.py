"""A generated project as `update` and `check` see it: its answers, its template, its version."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from stackpick import store
from stackpick.errors import NotAProjectError, TemplateStoreError, UpdateError, UsageError
from stackpick.questions import kind

ANSWERS_FILE = ".copier-answers.yml"


@dataclass(frozen=True)
class Generated:
    """What `.copier-answers.yml` says about a project."""

    path: Path
    answers: dict[str, Any]

    @property
    def src(self) -> str:
        return str(self.answers["_src_path"])

    @property
    def version(self) -> str:
        return str(self.answers["_commit"])

    @property
    def from_stackpick(self) -> bool:
        """True when the project was rendered from stackpick's own template store."""
        return store.is_store_src(self.src)


def load(path: Path) -> Generated:
    """Read PATH's answers file, or refuse: not a project, or not from a versioned template."""
    import yaml

    answers_file = path / ANSWERS_FILE
    if not path.is_dir():
        raise NotAProjectError(f"{path} is not a folder; pass the folder of a generated project")
    if not answers_file.is_file():
        raise NotAProjectError(f"{path} is not a generated project (no {ANSWERS_FILE}); "
                               "pass the folder that `stackpick new` created")
    try:
        answers = yaml.safe_load(answers_file.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise NotAProjectError(f"{answers_file} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset "
                               f"{exc.start}); restore it from your git history") from exc
    except (OSError, yaml.YAMLError) as exc:
        raise NotAProjectError(f"{answers_file} cannot be read as YAML ({exc.__class__.__name__})") from exc
    if not isinstance(answers, dict) or not answers.get("_src_path") or not answers.get("_commit"):
        raise NotAProjectError(f"{answers_file} records no template source and version (_src_path, "
                               "_commit); only projects rendered from a git-versioned template can update")
    for key in ("_src_path", "_commit"):
        if not isinstance(answers[key], str | int | float) or isinstance(answers[key], bool):
            raise NotAProjectError(f"{answers_file}: {key} must be text, not {kind(answers[key])}; "
                                   f"restore it from your git history")
    return Generated(path=path, answers={str(k): v for k, v in answers.items()})


def latest(project: Generated) -> str:
    """The newest template version available for PROJECT (stackpick's store, or the team repo)."""
    if project.from_stackpick:
        return prepare_store(project).current
    from stackpick import copier_adapter

    return copier_adapter.latest_tag(project.src)


def require_version(project: Generated, version: str, *, recorded: bool = True) -> None:
    """Raise UpdateError unless the template has VERSION (a tag; for team templates also a commit).

    RECORDED: VERSION is the project's `_commit` (else it was asked for with --vcs-ref).
    """
    from stackpick import copier_adapter

    if project.from_stackpick:
        known = sorted(t.removeprefix("refs/tags/") for t in store.tags(store.store_path()))
    else:
        known = copier_adapter.tags(project.src)
        if copier_adapter.is_describe(version):
            return  # an untagged commit: Copier itself finds out whether it exists
    if version not in known:
        shown = ", ".join(copier_adapter.newest(known)) or "none"
        what = f"{ANSWERS_FILE} records template version" if recorded else "--vcs-ref names template version"
        hint = (f"set _commit in {ANSWERS_FILE} to the version the project was generated from" if recorded
                else "pass one of those")
        error = UpdateError if recorded else UsageError  # --vcs-ref is the user's input: exit 2
        raise error(f"{what} {version}, which the template {project.src} does not have "
                    f"(its newest versions: {shown}); {hint}")


def prepare_store(project: Generated) -> store.Store:
    """The store at this machine's location, and where PROJECT's answers expect it if elsewhere."""
    current = store.ensure()
    recorded = Path(project.src).expanduser()
    if recorded.absolute() != current.path:
        if not project.src.startswith("~/") and not recorded.is_file():
            raise TemplateStoreError(
                f"{ANSWERS_FILE} records the template store at {project.src}, which does not "
                f"exist on this machine; set _src_path to {current.src}, commit, then retry")
        # Another machine's data folder: bring the history where the answers expect it, too.
        store.ensure(recorded)
    return current


def is_behind(current: str, newest: str) -> bool:
    """True when the version NEWEST is later than CURRENT (plain inequality if either is no version)."""
    try:
        return Version(current) < Version(newest)
    except InvalidVersion:
        return current != newest


def is_downgrade(current: str, target: str) -> bool:
    """True when TARGET is an older version than CURRENT (False when either is no version)."""
    try:
        return Version(target) < Version(current)
    except InvalidVersion:
        return False
