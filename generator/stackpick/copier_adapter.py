"""The one boundary with Copier: every Copier call goes through here, and its errors become ours.

Only Copier's public API is used (`run_copy`, `run_update`, `copier.errors`). What stackpick needs
to know about a template before rendering it (its questions, whether it runs code, its newest
version) is read with git and PyYAML, making the same choices Copier makes.

Copier costs about half a second to import, so each function imports it when called; commands
that do not render (`--help`, `rules`, `recommend`) never pay for it.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stackpick import repository
from stackpick.errors import GitError, RenderError, UnsafeTemplateError, UpdateError, first_line

_ALIASES = {"gh:": "https://github.com/", "gl:": "https://gitlab.com/"}


def copy(src: str, dst: Path, data: Mapping[str, Any], *, vcs_ref: str | None, trust: bool,
         defaults: bool) -> None:
    """Render the template SRC at VCS_REF into DST with DATA as answers."""
    from copier import run_copy
    from copier.errors import CopierError
    from copier.errors import UnsafeTemplateError as CopierUnsafe
    from jinja2 import TemplateError
    from plumbum import ProcessExecutionError  # a git step inside Copier failed

    try:
        run_copy(src, dst, data=dict(data), defaults=defaults, unsafe=trust, quiet=True, vcs_ref=vcs_ref)
    except CopierUnsafe as exc:
        raise UnsafeTemplateError(src) from exc
    except (CopierError, TemplateError, ValueError, OSError) as exc:
        raise RenderError(f"rendering {src} failed: {first_line(exc)}") from exc
    except ProcessExecutionError as exc:
        raise RenderError(f"rendering {src} failed: {_git_detail(exc)}") from exc


def update(path: Path, src: str, data: Mapping[str, Any], target: str, *, trust: bool) -> None:
    """Three-way merge of template version TARGET into the project at PATH (conflicts inline)."""
    from copier import run_update
    from copier.errors import CopierError
    from copier.errors import UnsafeTemplateError as CopierUnsafe
    from jinja2 import TemplateError
    from plumbum import ProcessExecutionError

    try:
        run_update(path, data=dict(data), defaults=True, overwrite=True, conflict="inline",
                   vcs_ref=target, skip_answered=True, quiet=True, unsafe=trust)
    except CopierUnsafe as exc:
        raise UnsafeTemplateError(src) from exc
    except (CopierError, TemplateError, ValueError, OSError) as exc:
        raise UpdateError(f"merging template version {target} from {src} failed: {first_line(exc)}") from exc
    except ProcessExecutionError as exc:
        raise UpdateError(f"merging template version {target} failed: {_git_detail(exc)}") from exc


def _git_detail(exc: Exception) -> str:
    return (str(getattr(exc, "stderr", "")).strip().splitlines() or ["git failed"])[-1]


def git_url(src: str) -> str:
    """SRC as git understands it: `gh:`/`gl:` shortcuts expanded, local paths absolute."""
    for alias, prefix in _ALIASES.items():
        if src.startswith(alias):
            rest = src.removeprefix(alias).lstrip("/")
            return prefix + rest + ("" if rest.endswith(".git") else ".git")
    if src.startswith("git+"):
        return src.removeprefix("git+")
    local = Path(src).expanduser()
    return str(local.resolve()) if local.exists() else src


def tags(src: str) -> list[str]:
    """Every tag of the git template SRC (`git ls-remote`); raise UpdateError when unreachable."""
    try:
        out = repository.text(Path.cwd(), "ls-remote", "--tags", "--refs", "--", git_url(src))
    except GitError as exc:
        raise UpdateError(f"cannot list the versions of {src}: {exc}") from exc
    return [line.split("\t", 1)[1].removeprefix("refs/tags/") for line in out.splitlines() if "\t" in line]


def latest_tag(src: str) -> str:
    """The newest PEP 440 release tag of SRC (pre-releases skipped), or HEAD: Copier's own choice."""
    from packaging.version import InvalidVersion, Version

    versions = []
    for tag in tags(src):
        try:
            version = Version(tag)
        except InvalidVersion:
            continue
        if not version.is_prerelease:
            versions.append((version, tag))
    return max(versions)[1] if versions else "HEAD"


def inspect_template(src: str, vcs_ref: str | None) -> tuple[dict[str, Any], bool]:
    """A template's questions, and whether it runs code (tasks, migrations, Jinja extensions).

    Read from copier.yml at the version Copier would render; Copier checks the unsafe features
    itself again when it renders, so this reading only decides what stackpick asks first.
    """
    local = Path(src).expanduser()
    try:
        if local.is_dir() and not (local / ".git").exists():
            text = _config_file(local).read_text(encoding="utf-8")
        else:
            text = _config_at(git_url(src), vcs_ref or latest_tag(src))
        config = _load_config(text)
    except (OSError, GitError, UpdateError, ValueError) as exc:
        raise RenderError(f"cannot read the template at {src}: {first_line(exc)}") from exc
    questions = {k: v for k, v in config.items() if not k.startswith("_")}
    runs_code = bool(config.get("_jinja_extensions") or config.get("_tasks") or config.get("_migrations"))
    return questions, runs_code


def _config_file(folder: Path) -> Path:
    for name in ("copier.yml", "copier.yaml"):
        if (folder / name).is_file():
            return folder / name
    raise ValueError("it has no copier.yml")


def _config_at(url: str, ref: str) -> str:
    """copier.yml (or copier.yaml) of the git repository URL at REF."""
    with tempfile.TemporaryDirectory(prefix="stackpick-template.") as tmp:
        clone = Path(tmp) / "template"
        local = Path(url)
        source = local if local.is_dir() else None
        if source is None:
            repository.run(Path(tmp), "clone", "--quiet", "--no-checkout", "--template=", "--", url, str(clone))
            source = clone
        for name in ("copier.yml", "copier.yaml"):
            out = repository.run(source, "show", f"{ref}:{name}", check=False)
            if out:
                return out.decode("utf-8")
    raise ValueError(f"it has no copier.yml at {ref}")


def _load_config(text: str) -> dict[str, Any]:
    """copier.yml's documents merged; Copier's own tags (`!include`) read as empty."""
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    _Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    merged: dict[str, Any] = {}
    for document in yaml.load_all(text, Loader=_Loader):  # a SafeLoader subclass: no arbitrary objects
        if isinstance(document, dict):
            merged.update({str(k): v for k, v in document.items()})
    return merged


def is_describe(ref: str) -> bool:
    """True for what Copier records as `_commit` for an untagged commit (`1.0-3-gabc1234`, a sha)."""
    return bool(re.fullmatch(r".+-\d+-g[0-9a-f]{4,40}|[0-9a-f]{7,40}", ref))
