"""The four articles the rules come from: title, publisher, and the places in them that a rule cites.

Titles are the ones the shared article index (shared/articles/README.md) gives; a publisher is
recorded only where the article names one. A `Citation` points at one section of one article by its
heading, spelled exactly as the article spells it, so a reader can search the article for it (a test
checks every heading against the article text).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Article:
    """One source article: a short key for the rules, its title, its publisher, its stored file."""

    key: str
    title: str
    publisher: str | None
    file: str


@dataclass(frozen=True)
class Citation:
    """A section of an article, by its heading."""

    article: Article
    section: str

    def as_dict(self) -> dict[str, str | None]:
        """The citation fields a reason or a disagreement carries in JSON."""
        return {"source": self.article.title, "publisher": self.article.publisher, "section": self.section}

    def text(self, *, markdown: bool = False) -> str:
        """`Title (Publisher), section "Heading"`; the title in italics for Markdown."""
        title = f"*{self.article.title}*" if markdown else self.article.title
        publisher = f" ({self.article.publisher})" if self.article.publisher else ""
        return f'{title}{publisher}, section "{self.section}"'


MATCHUPS = Article("matchups", "Tech Matchups: Node.js vs. Python (Django/Flask)", "Swiftorial",
                   "000_0debe831d34d93bb.txt")
WHICH_BACKEND = Article("which_backend", "Node.js vs Python: Which Backend Framework to Choose?", None,
                        "001_93606f62dc74b084.txt")
KINSTA = Article("kinsta", "Node.js vs Python (Kinsta's comparison on nine criteria)", "Kinsta",
                 "002_5fe1da2c7da371ba.txt")
EXPRESS_VS_DJANGO = Article("express_vs_django", "Node.js (Express) vs Python (Django): which one to choose",
                            None, "003_92d6625b05edea16.txt")

ARTICLES: tuple[Article, ...] = (MATCHUPS, WHICH_BACKEND, KINSTA, EXPRESS_VS_DJANGO)


def cite(article: Article, section: str) -> Citation:
    """A citation of `section` (the heading as the article spells it) in `article`."""
    return Citation(article, section)
