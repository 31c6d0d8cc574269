"""The one boundary with Copier: every Copier call goes through here, and its errors become ours.

Only Copier's public API is used (`run_copy`, `run_update`, `copier.errors`). What stackpick needs
to know about a template before rendering it (its questions, whether it runs code, its newest
version) is read with git and PyYAML, making the same choices Copier makes.

Copier's own git calls have no time limit, so a remote team template is fetched once by
stackpick's git runner (which has one, see `history.run`) inside `fetched()`, and while it is open
git's `url.<local>.insteadOf` (passed in the environment) sends every git call Copier makes for that
URL to the local copy: Copier records the URL as given and never touches the network itself.

Copier costs about half a second to import, so each function imports it when called; commands
that do not render (`--help`, `rules`, `recommend`) never pay for it.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from stackpick import history, repository
from stackpick.errors import GitError, RenderError, UnsafeTemplateError, UpdateError, UsageError, first_line

_ALIASES = {"gh:": "https://github.com/", "gl:": "https://gitlab.com/"}
_FETCHED: dict[str, Path] = {}  # remote template URL -> its local mirror, while `fetched()` is open


@contextlib.contextmanager
def fetched(src: str) -> Iterator[None]:
    """Within the block, the remote template SRC is read from one bounded local mirror.

    A local template (a folder, a bundle) needs nothing and is left as it is. The mirror lives in
    a temporary folder (inside `update`'s scratch run when one is open) and is removed on exit.
    """
    url = git_url(src)
    if not _is_remote(url) or url in _FETCHED:
        yield
        return
    with tempfile.TemporaryDirectory(prefix="stackpick-template.") as tmp:
        mirror = Path(tmp) / "template.git"
        try:
            repository.run(Path(tmp), "clone", "--quiet", "--mirror", "--template=", "--", url, str(mirror))
        except GitError as exc:
            raise RenderError(f"cannot fetch the template {src}: {_without_folder(exc)}") from exc
        _FETCHED[url] = mirror
        try:
            yield
        finally:
            del _FETCHED[url]


def _is_remote(url: str) -> bool:
    """True for a template git must fetch over a network (what is not a path on this machine)."""
    return not Path(url).expanduser().exists()


def _without_folder(exc: Exception) -> str:
    """A GitError's message without the folder git ran in (a temporary one, of no use to the user)."""
    return re.sub(r" \(in [^()]*\)$", "", str(exc))


@contextlib.contextmanager
def _copier_git() -> Iterator[None]:
    """The environment of the git that Copier runs (through plumbum) while the block runs.

    Variables that point git at another repository (GIT_DIR from a hook that runs stackpick) are
    dropped, as `history.run` drops them; the mirrors `fetched()` made stand in for their URLs.
    """
    from plumbum import local

    with local.env():
        for name in history.LOCATING:
            local.env.pop(name, "")
        count = int(local.env.get("GIT_CONFIG_COUNT", "0") or 0)  # keep settings the user passes this way
        for url, mirror in _FETCHED.items():
            bare = url.removesuffix(".git")  # Copier adds `.git` to some URLs; the longer key wins in git
            for value in (bare, bare + ".git"):
                local.env[f"GIT_CONFIG_KEY_{count}"] = f"url.{mirror}.insteadOf"
                local.env[f"GIT_CONFIG_VALUE_{count}"] = value
                count += 1
        if _FETCHED:
            local.env["GIT_CONFIG_COUNT"] = str(count)
        yield


def copy(src: str, dst: Path, data: Mapping[str, Any], *, vcs_ref: str | None, trust: bool,
         defaults: bool) -> None:
    """Render the template SRC at VCS_REF into DST with DATA as answers."""
    from copier import run_copy
    from copier.errors import CopierError
    from copier.errors import UnsafeTemplateError as CopierUnsafe
    from jinja2 import TemplateError
    from plumbum import ProcessExecutionError  # a git step inside Copier failed

    try:
        with _copier_git():
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
        with _copier_git():
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
    url = git_url(src)
    try:
        out = repository.text(Path.cwd(), "ls-remote", "--tags", "--refs", "--", str(_FETCHED.get(url, url)))
    except GitError as exc:
        raise UpdateError(f"cannot list the versions of {src}: {_without_folder(exc)}") from exc
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
    if local.exists() and not local.is_dir() and not _is_bundle(local):
        raise UsageError(f"--template {src} is a file; pass a template folder, a git repository or a git URL")
    try:
        if local.is_dir() and not (local / ".git").exists():
            text = _config_file(local).read_text(encoding="utf-8")
        else:
            text = _config_at(src, vcs_ref or latest_tag(src), asked=vcs_ref is not None)
        config = _load_config(text)
    except (OSError, GitError, UpdateError, ValueError) as exc:
        raise RenderError(f"cannot read the template at {src}: {first_line(exc)}") from exc
    questions = {k: v for k, v in config.items() if not k.startswith("_")}
    runs_code = bool(config.get("_jinja_extensions") or config.get("_tasks") or config.get("_migrations"))
    return questions, runs_code


def _is_bundle(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(16) in (b"# v2 git bundle\n", b"# v3 git bundle\n")
    except OSError:
        return False


def _config_file(folder: Path) -> Path:
    for name in ("copier.yml", "copier.yaml"):
        if (folder / name).is_file():
            return folder / name
    raise ValueError("it has no copier.yml")


def _config_at(src: str, ref: str, *, asked: bool) -> str:
    """copier.yml (or copier.yaml) of the git template SRC at REF (ASKED: REF came from --vcs-ref)."""
    url = git_url(src)
    with tempfile.TemporaryDirectory(prefix="stackpick-template.") as tmp:
        source = _FETCHED.get(url) or (Path(url) if Path(url).is_dir() else None)
        if source is None:
            source = Path(tmp) / "template"
            repository.run(Path(tmp), "clone", "--quiet", "--no-checkout", "--template=", "--", url, str(source))
        if asked and not repository.text(source, "rev-parse", "--verify", "-q", f"{ref}^{{commit}}", check=False):
            raise UsageError(f"--vcs-ref {ref}: the template {src} has no such tag or commit "
                             f"(its newest tags: {', '.join(newest(tags(src))) or 'none'})")
        for name in ("copier.yml", "copier.yaml"):
            out = repository.run(source, "show", f"{ref}:{name}", check=False)
            if out:
                return out.decode("utf-8")
    raise ValueError(f"it has no copier.yml at {ref}")


def newest(names: list[str], count: int = 5) -> list[str]:
    """The COUNT newest of NAMES by PEP 440 version (names that are no version sort first), oldest first."""
    from packaging.version import InvalidVersion, Version

    def order(name: str) -> tuple[int, Version | str]:
        try:
            return (1, Version(name))
        except InvalidVersion:
            return (0, name)

    return sorted(names, key=order)[-count:]


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
