"""The git repository around a generated project, read byte-exactly with git plumbing.

`history.git` decodes and strips its output, which is right for one-line answers and wrong for
file names and file contents: here every list is NUL-separated (`-z`) and blobs stay bytes, so a
name that starts with a space or holds a newline survives.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from stackpick import history
from stackpick.errors import GitError, UpdateError
from stackpick.history import HistoryError


@dataclass(frozen=True)
class Repository:
    """Where a project sits in its repository: the top, the git folder, HEAD and the subfolder."""

    top: Path
    git_dir: Path
    head: str
    sub: PurePosixPath  # the project folder relative to `top` ("." when it is the top)

    def path(self, name: str) -> Path:
        """The file NAME (relative to the top, as git lists it) in the working tree."""
        return self.top / name


@dataclass(frozen=True)
class Entry:
    """One line of `git status --porcelain=v2`: what changed for one path."""

    kind: str  # "1" changed, "u" unmerged, "?" untracked, "!" ignored
    xy: str  # index and work-tree status letters ("??" / "!!" for untracked / ignored)
    path: str
    head_sha: str = ""  # the blob at HEAD, when there is one


def run(cwd: Path, *args: str, input: bytes = b"", env: Mapping[str, str] | None = None,
        check: bool = True) -> bytes:
    """Run git in CWD with bytes in and out; raise GitError with git's reason when it fails.

    The runner is `history.run`: a time limit, no terminal, no GIT_DIR leaking in from a hook.
    """
    try:
        # Reading the user's repository must not take its index lock (a concurrent `git commit` would fail).
        code, out, err = history.run(*args, cwd=cwd, env={"GIT_OPTIONAL_LOCKS": "0", **(env or {})}, input=input)
    except HistoryError as exc:
        raise GitError(f"{exc} (in {cwd})") from exc
    if check and code != 0:
        raise GitError(f"git {history.subcommand(args)} failed: {history.reason(err)} (in {cwd})")
    return out


def text(cwd: Path, *args: str, check: bool = True) -> str:
    """A one-line answer from git (a sha, a path), without its trailing newline."""
    return run(cwd, *args, check=check).decode().strip()


def locate(path: Path) -> Repository | None:
    """The repository PATH is in, or None when PATH is not inside a git work tree."""
    if text(path, "rev-parse", "--is-inside-work-tree", check=False) != "true":
        return None
    top = Path(text(path, "rev-parse", "--show-toplevel")).resolve()
    git_dir = Path(text(path, "rev-parse", "--absolute-git-dir")).resolve()
    head = text(path, "rev-parse", "--verify", "-q", "HEAD^{commit}", check=False)
    if not head:
        raise UpdateError(f"{path} is in a git repository without commits; commit the project first "
                          "(`git add -A && git commit -m init`), then retry")
    sub = PurePosixPath(path.resolve().relative_to(top).as_posix())
    return Repository(top=top, git_dir=git_dir, head=head, sub=sub)


def status(cwd: Path, *, ignored: bool = False) -> list[Entry]:
    """Every changed, unmerged, untracked (and with IGNORED, ignored) path, parsed from -z output."""
    args = ["status", "--porcelain=v2", "-z", "--untracked-files=all", "--no-renames"]
    args.append("--ignored=matching" if ignored else "--ignored=no")
    entries: list[Entry] = []
    for record in run(cwd, *args).decode("utf-8", "surrogateescape").split("\0"):
        if not record:
            continue
        kind = record[0]
        if kind == "1":  # 1 XY sub mH mI mW hH hI path
            fields = record.split(" ", 8)
            entries.append(Entry("1", fields[1], fields[8], head_sha=fields[6]))
        elif kind == "u":  # u XY sub m1 m2 m3 mW h1 h2 h3 path
            fields = record.split(" ", 10)
            entries.append(Entry("u", fields[1], fields[10], head_sha=fields[8]))
        elif kind in "?!":
            entries.append(Entry(kind, kind * 2, record[2:]))
    return entries


def unmerged(cwd: Path, paths: Sequence[str] = ()) -> dict[str, list[tuple[str, str, int]]]:
    """Unmerged index entries: path -> [(mode, sha, stage)], from `git ls-files -u -z`."""
    found: dict[str, list[tuple[str, str, int]]] = {}
    out = run(cwd, "ls-files", "-u", "-z", "--full-name", "--", *paths).decode("utf-8", "surrogateescape")
    for record in out.split("\0"):
        if record:
            info, _, name = record.partition("\t")
            mode, sha, stage = info.split(" ")
            found.setdefault(name, []).append((mode, sha, int(stage)))
    return found


def blobs(cwd: Path, shas: Iterable[str]) -> dict[str, bytes]:
    """The contents of blobs by id, read in one `git cat-file --batch`."""
    wanted = sorted(set(shas))
    if not wanted:
        return {}
    out = run(cwd, "cat-file", "--batch", input="".join(f"{sha}\n" for sha in wanted).encode())
    found: dict[str, bytes] = {}
    at = 0
    for sha in wanted:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        if len(header) != 3:
            raise GitError(f"git cat-file: object {sha} is missing")
        size = int(header[2])
        found[sha] = out[end + 1:end + 1 + size]
        at = end + 1 + size + 1
    return found


def dirty(repo: Repository) -> list[str]:
    """The paths that keep the tree from being clean: tracked changes, unmerged or untracked files."""
    return [entry.path for entry in status(repo.top)]
