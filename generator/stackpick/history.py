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

import os
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from packaging.version import InvalidVersion, Version

MAIN = "refs/heads/main"
_IDENTITY = {"NAME": "stackpick", "EMAIL": "stackpick@localhost"}


class HistoryError(Exception):
    """git failed, or is missing, while building the template history."""


def git(*args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None,
        check: bool = True) -> str:
    """Run git; return its stdout stripped, or raise HistoryError with git's last line."""
    full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", **(env or {})}
    try:
        result = subprocess.run(["git", *args], cwd=cwd, env=full_env, capture_output=True,
                                text=True, check=False)
    except FileNotFoundError as exc:
        raise HistoryError("git is not installed; stackpick needs it: install git") from exc
    if check and result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise HistoryError(f"git {args[0]} failed: {lines[-1] if lines else 'no output'}")
    return result.stdout.strip()


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
