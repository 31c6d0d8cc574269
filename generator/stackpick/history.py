"""Build the templates' version history as a git bundle: one commit and one tag per release.

The bundle's root is the contents of `templates/` (copier.yml at its root). Each release tag
`vX.Y.Z` of the source repository becomes a commit tagged `X.Y.Z`, built with git plumbing (no
checkout) on top of the previous release, with a fixed identity and the release's own date, so
every build of the same history produces the same commit ids. Working templates that differ from
the newest release get one more commit tagged as a PEP 440 development version,
`X.Y.Z.devN+g<tree>`: N counts the commits since the newest release tag (or since the root) that
touched templates/, plus one when the working templates differ from HEAD's, and <tree> is the
templates' tree id. Both come from git alone (never file times), so every clone of one commit
names its templates alike, and committing an edit keeps the name it had as a working change.

Standard library plus `packaging` only: the hatch build hook loads this file by path.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from packaging.version import InvalidVersion, Version

MAIN = "refs/heads/main"
_IDENTITY = {"NAME": "stackpick", "EMAIL": "stackpick@localhost"}


class HistoryError(Exception):
    """git failed, or is missing, while building the template history."""


# Seconds one git call may take. Every call here is local (no network); a longer one is stuck on
# something that waits for a person (a credential helper, a pinentry, a hook) and must not hang us.
TIMEOUT = 120.0
# Variables that would point git at another repository than the one in `cwd` (they leak in from
# hooks and scripts that run stackpick); callers that need one pass it through `env`.
LOCATING = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
             "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_PREFIX")


def git(*args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None,
        check: bool = True, timeout: float | None = None) -> str:
    """Run git; return its stdout stripped, or raise HistoryError with git's reason.

    Never reads the terminal (no stdin, no prompts, its own session) and is stopped after
    `timeout` seconds (default TIMEOUT), with whatever it started.
    """
    code, out, err = run(*args, cwd=cwd, env=env, timeout=timeout)
    if check and code != 0:
        raise HistoryError(f"git {subcommand(args)} failed: {reason(err or out)}")
    return os.fsdecode(out).strip()


def run(*args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None, input: bytes | None = None,
        timeout: float | None = None) -> tuple[int, bytes, bytes]:
    """Run git with bytes in and out; return (exit code, stdout, stderr).

    Git reads INPUT (nothing: no terminal, no prompts), runs in its own session and is killed with
    whatever it started after `timeout` seconds (default TIMEOUT) or when we are interrupted.
    Raise HistoryError when git is missing or too slow.
    """
    inherited = {k: v for k, v in os.environ.items() if k not in LOCATING}
    full_env = {**inherited, "GIT_TERMINAL_PROMPT": "0", "GIT_EDITOR": ":", **(env or {})}
    limit = TIMEOUT if timeout is None else timeout
    try:
        proc = subprocess.Popen([b"git", *map(_os_bytes, args)], cwd=cwd,
                                env={_os_bytes(k): _os_bytes(v) for k, v in full_env.items()},
                                stdin=subprocess.DEVNULL if input is None else subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    except FileNotFoundError as exc:
        raise HistoryError("git is not installed; stackpick needs it: install git") from exc
    try:
        out, err = proc.communicate(input=input, timeout=limit)
    except subprocess.TimeoutExpired as exc:
        _stop(proc)
        raise HistoryError(f"git {subcommand(args)} did not finish within {limit:g} s (is it waiting for a "
                           "password, a signing key, a hook or a server that does not answer?)") from exc
    except BaseException:  # an interruption: leave no git behind
        _stop(proc)
        raise
    return proc.returncode, out, err


def reason(output: bytes) -> str:
    """The line of git's output that says why it failed: its first `fatal:` or `error:` line, else the last.

    (`git ls-remote` of a missing repository ends with "and the repository exists.", which says nothing.)
    """
    lines = [line.strip() for line in output.decode("utf-8", "replace").splitlines() if line.strip()]
    told = next((line for line in lines if line.startswith(("fatal:", "error:"))), None)
    return told or (lines[-1] if lines else "no output")


def subcommand(args: tuple[str, ...]) -> str:
    """The git command ARGS run, past options such as `-c key=value`."""
    words = iter(args)
    for word in words:
        if word == "-c":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return args[0] if args else ""


def _os_bytes(text: str) -> bytes:
    """TEXT as the bytes an argument or environment value carries: the file system's encoding,
    else UTF-8 (a commit message naming "Café" in an ASCII locale)."""
    try:
        return os.fsencode(text)
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill git and everything it started (its own session), then reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
    proc.wait()


def release_tags(repo: Path) -> list[tuple[Version, str]]:
    """The repository's tags that are PEP 440 versions (`v` prefix optional), oldest first."""
    found: list[tuple[Version, str]] = []
    for name in git("tag", "--list", cwd=repo).splitlines():
        try:
            found.append((Version(name), name))
        except InvalidVersion:
            continue
    return sorted(found)


def next_version(newest: Version | None, package_version: str) -> Version:
    """The version the working templates are heading for."""
    current = Version(package_version)
    if newest is None or newest < current:
        return current
    return Version(f"{newest.major}.{newest.minor}.{newest.micro + 1}")


def build(out: Path, templates: Path, package_version: str, repo: Path | None = None) -> str:
    """Write the history bundle to OUT; return the tag of the working templates' version."""
    with tempfile.TemporaryDirectory(prefix="stackpick-history.") as tmp:
        work = Path(tmp) / "history.git"
        git("init", "-q", "--bare", "--initial-branch=main", str(work))
        if repo is not None:
            objects = Path(git("rev-parse", "--path-format=absolute", "--git-common-dir", cwd=repo))
            (work / "objects" / "info" / "alternates").write_text(f"{objects / 'objects'}\n")
        parent, parent_tree, newest, newest_tag, date = "", "", None, "", "315532800"  # 1980-01-01
        for version, name in release_tags(repo) if repo is not None else []:
            tree = git("rev-parse", "--verify", "-q", f"{name}^{{commit}}:templates", cwd=repo,
                       check=False)
            if not tree:
                continue  # a release from before the templates existed
            date = git("log", "-1", "--format=%ct", f"{name}^{{commit}}", cwd=repo)
            parent = _commit(work, tree, parent, str(version), date)
            git("update-ref", f"refs/tags/{version}", parent, cwd=work)
            parent_tree, newest, newest_tag = tree, version, name
        tree, prefix = _working_tree(work, templates, repo)
        if tree == parent_tree:
            current = str(newest)
        else:
            heading = next_version(newest, package_version)
            # With a source repository, unreleased templates are a development version that sorts
            # after the last release and before the next; without one (an sdist), they are the release.
            if repo is not None:
                current = f"{heading}.dev{_distance(repo, prefix, newest_tag, tree)}+g{tree[:7]}"
            else:
                current = str(heading)
            # The newest release's date: the commit id then depends on the tree and history alone.
            parent = _commit(work, tree, parent, current, date)
            git("update-ref", f"refs/tags/{current}", parent, cwd=work)
        git("update-ref", MAIN, parent, cwd=work)
        out.parent.mkdir(parents=True, exist_ok=True)
        git("bundle", "create", "-q", str(out), "--all", cwd=work)
        return current


def _commit(work: Path, tree: str, parent: str, version: str, date: str) -> str:
    env = {f"GIT_{role}_{key}": value for role in ("AUTHOR", "COMMITTER")
           for key, value in {**_IDENTITY, "DATE": f"{date} +0000"}.items()}
    parents = ["-p", parent] if parent else []
    return git("commit-tree", tree, *parents, "-m", f"stackpick templates {version}", cwd=work, env=env)


def _distance(repo: Path, prefix: str, since: str, tree: str) -> int:
    """Commits since the tag SINCE (or the root) touching PREFIX, plus one if TREE is not HEAD's."""
    head = git("rev-parse", "--verify", "-q", "HEAD^{commit}", cwd=repo, check=False)
    if not head:
        return 1
    span = f"{since}^{{commit}}..HEAD" if since else "HEAD"
    count = int(git("rev-list", "--count", span, "--", prefix, cwd=repo) or 0)
    head_tree = git("rev-parse", "--verify", "-q", f"HEAD:{prefix}", cwd=repo, check=False)
    return count + (tree != head_tree)


def _working_tree(work: Path, templates: Path, repo: Path | None) -> tuple[str, str]:
    """Hash the working templates into WORK; return the tree id and their path in REPO."""
    templates = templates.resolve()
    with tempfile.TemporaryDirectory(prefix="stackpick-index.") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        if repo is not None:
            # Let the source repository's .gitignore decide, but write objects into WORK only.
            env["GIT_OBJECT_DIRECTORY"] = str(work / "objects")
            env["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = (work / "objects" / "info" / "alternates") \
                .read_text().strip()
            prefix = templates.relative_to(Path(git("rev-parse", "--show-toplevel",
                                                    cwd=repo)).resolve()).as_posix()
            git("add", "-A", "--", prefix, cwd=repo, env=env)
            return git("write-tree", f"--prefix={prefix}/", cwd=repo, env=env), prefix
        tree_env = {**env, "GIT_DIR": str(work), "GIT_WORK_TREE": str(templates)}
        git("-c", "core.bare=false", "add", "-A", ".", cwd=templates, env=tree_env)
        return git("-c", "core.bare=false", "write-tree", cwd=templates, env=tree_env), ""
