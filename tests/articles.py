"""The four source articles as the tests read them: found next to the repository, never skipped.

The articles live in the team's shared folder: `../shared/articles` beside a clean clone (as CI lays
it out), or further up for a git worktree (`/work/shared` for `/work/wt/<name>`). STACKPICK_ARTICLES
points elsewhere. A missing folder fails the tests that need it, loudly: citations that nobody can
check are exactly what these tests exist to prevent.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

from stackpick.sources import Article
from tests.support import ROOT


@functools.cache
def folder() -> Path:
    """The folder holding the article files and their README index."""
    candidates = [Path(os.environ["STACKPICK_ARTICLES"])] if os.environ.get("STACKPICK_ARTICLES") else []
    candidates += [parent / "shared" / "articles" for parent in ROOT.parents]
    for candidate in candidates:
        if (candidate / "README.md").is_file():
            return candidate
    pytest.fail("the source articles are missing: looked for shared/articles/README.md in "
                + ", ".join(str(c) for c in candidates)
                + " (set STACKPICK_ARTICLES to their folder)", pytrace=False)


@functools.cache
def text(article: Article) -> str:
    """The stored text of one article."""
    return (folder() / article.file).read_text(encoding="utf-8")


@functools.cache
def headings(article: Article) -> frozenset[str]:
    """Every line of the article, stripped: a cited section must be one of them, whole."""
    return frozenset(line.strip() for line in text(article).splitlines() if line.strip())


def index() -> str:
    """The README that lists the articles with their titles."""
    return (folder() / "README.md").read_text(encoding="utf-8")
