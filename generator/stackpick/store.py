"""The template store: the templates' version history as a git bundle under the user's data folder.

Copier's update needs the old and the new template versions as tags of a git repository it can
reach. The package ships that history (`templates.bundle`, built by `hatch_build.py`); a
development checkout builds it from its own git history at run time. Either way it is merged into
`$XDG_DATA_HOME/stackpick/templates.bundle` (default `~/.local/share/...`), which projects record
as `~/.local/share/stackpick/templates.bundle`, so plain `copier update` finds it on any machine
where stackpick has run once.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from stackpick import __version__, shield
from stackpick.errors import TemplateStoreError
from stackpick.history import MAIN, HistoryError, build, git

BUNDLE_NAME = "templates.bundle"
_STORE_SUFFIX = f"stackpick/{BUNDLE_NAME}"


@dataclass(frozen=True)
class Store:
    """Where the store is, how projects record it, and the version of this stackpick's templates."""

    path: Path
    src: str
    current: str


def store_path() -> Path:
    """`$XDG_DATA_HOME/stackpick/templates.bundle`, default `~/.local/share/stackpick/...`.

    A relative XDG_DATA_HOME is ignored, as the XDG base directory spec says.
    """
    data_home = os.environ.get("XDG_DATA_HOME", "")
    if not os.path.isabs(data_home):
        data_home = str(_home() / ".local" / "share")
    return Path(os.path.abspath(data_home)) / "stackpick" / BUNDLE_NAME


def _home() -> Path:
    """$HOME, refused when unset, empty or relative (it would put the store in / or the current folder)."""
    home = os.environ.get("HOME", "")
    if not os.path.isabs(home):
        raise TemplateStoreError(
            f"HOME is {'unset' if 'HOME' not in os.environ else repr(home)}: stackpick keeps its template "
            "store under your home folder; set HOME to it (an absolute path) and retry")
    return Path(os.path.abspath(home))


def portable(path: Path) -> str:
    """PATH as `~/...` when it lies under HOME (Copier expands `~` on copy and update).

    A template store outside HOME is recorded at its default place, `~/.local/share/stackpick/...`,
    never as one machine's absolute path; `new` keeps a copy of the store there.
    """
    absolute = Path(os.path.abspath(path))
    store = is_store_src(absolute.as_posix())
    if not store and not os.path.isabs(os.environ.get("HOME", "")):
        return absolute.as_posix()  # a team template needs no HOME to be named
    try:
        return "~/" + absolute.relative_to(_home()).as_posix()
    except ValueError:
        return f"~/.local/share/{_STORE_SUFFIX}" if store else absolute.as_posix()


def is_store_src(src: str) -> bool:
    """True when a recorded `_src_path` names a stackpick template store."""
    return src.replace("\\", "/").endswith(_STORE_SUFFIX)


def ensure(path: Path | None = None) -> Store:
    """Create, refresh or repair the store (at PATH, default `store_path()`); cheap when it is current."""
    target = path or store_path()
    damaged = target.exists() and not intact(target)
    try:
        checkout = _checkout_fingerprint(_CHECKOUT_TEMPLATES)
        remembered = _remembered(target, checkout) if checkout and not damaged else None
        if remembered:
            return Store(path=target, src=portable(target), current=remembered)
        with shield.temporary_folder(Path(tempfile.gettempdir()), prefix="stackpick-source.") as tmp:
            source, current = _source_bundle(tmp)
            wanted = tags(source)
            if damaged or not target.is_file() or not wanted.items() <= tags(target).items():
                _merge(source, target, keep=not damaged)
        if checkout:
            _remember(target, checkout, current)
    except (HistoryError, OSError) as exc:
        how = f"remove {target}, then run `stackpick check` to rebuild it" if damaged else str(exc)
        raise TemplateStoreError(f"cannot prepare the template store at {target}: {how}") from exc
    if damaged:
        print(f"stackpick: the template store {target} was damaged; rebuilt it from this installation "
              "(versions other stackpick installations added come back when they run)", file=sys.stderr)
    return Store(path=target, src=portable(target), current=current)


def intact(bundle: Path) -> bool:
    """True when BUNDLE is a whole git bundle: its header ends and its pack's checksum matches.

    `git bundle verify` only checks the header and prerequisites, so a truncated file passes it;
    the pack's trailer is a hash of everything before it, which catches truncation and damage.
    """
    try:
        data = bundle.read_bytes()
    except OSError:
        return False
    end = data.find(b"\n\n")
    if not data.startswith((b"# v2 git bundle\n", b"# v3 git bundle\n")) or end < 0:
        return False
    algorithm = "sha256" if b"@object-format=sha256" in data[:end] else "sha1"
    size = hashlib.new(algorithm).digest_size
    pack = data[end + 2:]
    return (pack.startswith(b"PACK") and len(pack) > 12 + size
            and hashlib.new(algorithm, pack[:-size]).digest() == pack[-size:])


_CHECKOUT_TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"


def _checkout_fingerprint(templates: Path) -> str | None:
    """For a development checkout, a hash of what the history is built from; None when installed.

    Rebuilding the history from git costs a few hundred milliseconds; the fingerprint (the
    repository's HEAD and tags, and every template file's path, size and modification time) lets
    `new` skip that when nothing changed since the last build.
    """
    if (Path(__file__).resolve().parent / BUNDLE_NAME).is_file() or not (templates / "copier.yml").is_file():
        return None
    digest = hashlib.sha256(__version__.encode())
    digest.update(git("rev-parse", "HEAD", "--tags", cwd=templates, check=False).encode())
    for file in sorted(templates.rglob("*")):
        stat = file.lstat()
        digest.update(f"{file.relative_to(templates)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _memo(target: Path) -> Path:
    return target.with_name(target.name + ".checkout.json")


def _remembered(target: Path, fingerprint: str) -> str | None:
    try:
        memo = json.loads(_memo(target).read_text())
    except (OSError, ValueError):
        return None
    current = memo.get("current") if memo.get("fingerprint") == fingerprint else None
    return current if current and f"refs/tags/{current}" in tags(target) else None


def _remember(target: Path, fingerprint: str, current: str) -> None:
    staged = _memo(target).with_suffix(f".{os.getpid()}.tmp")
    staged.write_text(json.dumps({"fingerprint": fingerprint, "current": current}))
    os.replace(staged, _memo(target))


def _source_bundle(tmp: Path) -> tuple[Path, str]:
    """The history this stackpick carries, and the tag of its own templates."""
    here = Path(__file__).resolve().parent
    shipped = here / BUNDLE_NAME
    if shipped.is_file():
        if not intact(shipped):
            raise TemplateStoreError(f"{shipped}, the template history shipped with stackpick, is damaged; "
                                     "reinstall stackpick")
        heads = _heads(shipped)
        main = heads.get(MAIN)
        current = next((ref.removeprefix("refs/tags/") for ref, sha in heads.items()
                        if ref.startswith("refs/tags/") and sha == main), None)
        if current is None:
            raise TemplateStoreError(f"{shipped} has no tag for its templates; reinstall stackpick")
        return shipped, current
    root = here.parent.parent  # a development checkout: generator/stackpick/ beside templates/
    if not (root / "templates" / "copier.yml").is_file():
        raise TemplateStoreError("stackpick's template history is missing from this installation; "
                                 "reinstall stackpick")
    repo = root if git("rev-parse", "--git-dir", cwd=root, check=False) else None
    out = tmp / BUNDLE_NAME
    return out, build(out, root / "templates", __version__, repo)


def _heads(bundle: Path) -> dict[str, str]:
    heads: dict[str, str] = {}
    for line in git("bundle", "list-heads", str(bundle), check=False).splitlines():
        sha, _, ref = line.partition(" ")
        heads[ref] = sha
    return heads


def tags(bundle: Path) -> dict[str, str]:
    """The tags of BUNDLE: `refs/tags/NAME` -> commit id."""
    return {ref: sha for ref, sha in _heads(bundle).items() if ref.startswith("refs/tags/")}


def _merge(source: Path, target: Path, *, keep: bool = True) -> None:
    """Write TARGET = its own tags (with KEEP) + SOURCE's tags and branch, atomically (build beside, rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with shield.temporary_folder(target.parent, prefix=".templates.") as tmp:
        work = tmp / "work.git"
        git("init", "-q", "--bare", "--initial-branch=main", str(work))
        if keep and target.is_file() and _heads(target):
            git("fetch", "-q", str(target), "+refs/tags/*:refs/tags/*", cwd=work, check=False)
        git("fetch", "-q", str(source), "+refs/tags/*:refs/tags/*", f"+{MAIN}:{MAIN}", cwd=work)
        staged = tmp / BUNDLE_NAME
        git("bundle", "create", "-q", str(staged), "--all", cwd=work)
        os.replace(staged, target)
