"""The four articles the rules come from, by the titles they give themselves."""

from __future__ import annotations

MATCHUPS = "Tech Matchups: Node.js vs. Python (Django/Flask)"
WHICH_BACKEND = "Node.js vs Python: Which Backend Framework to Choose?"
KINSTA = "Node.js vs Python (Kinsta's comparison on nine criteria)"
EXPRESS_VS_DJANGO = "Node.js (Express) vs Python (Django): which one to choose"

ARTICLES: tuple[str, ...] = (MATCHUPS, WHICH_BACKEND, KINSTA, EXPRESS_VS_DJANGO)
