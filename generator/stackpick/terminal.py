"""How wide to wrap and whether to colour, decided once per output stream.

A small wrapper over textwrap and shutil rather than a terminal library: importing rich costs about
35 ms (`python -X importtime` on the development machine) against about 6 ms for textwrap, and
`recommend` and `rules` must start fast.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from dataclasses import dataclass
from typing import TextIO

MIN_WIDTH, MAX_WIDTH = 40, 100  # below 40 the indents leave no room; past 100 lines get hard to read
STYLES = {"bold": "1", "dim": "2", "green": "32", "yellow": "33"}


@dataclass(frozen=True)
class Terminal:
    """Where text goes: its width in columns and whether ANSI colour is wanted."""

    width: int = 80
    colour: bool = False

    def wrap(self, text: str, indent: int = 0, hang: int | None = None) -> list[str]:
        """`text` wrapped to the width: the first line indented by `indent`, the rest by `hang`."""
        lead = " " * indent
        rest = " " * (indent if hang is None else hang)
        return textwrap.wrap(text, self.width, initial_indent=lead, subsequent_indent=rest,
                             break_long_words=False, break_on_hyphens=False) or [lead.rstrip()]

    def paint(self, text: str, *styles: str) -> str:
        """`text` in the given styles when colour is on; unchanged otherwise."""
        if not self.colour or not styles:
            return text
        codes = ";".join(STYLES[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"


def for_stream(stream: TextIO | None = None) -> Terminal:
    """The terminal behind `stream` (stdout by default): COLUMNS or its size, else 80 columns;
    colour only on a terminal, never when NO_COLOR is set (https://no-color.org) or TERM is dumb."""
    stream = stream or sys.stdout
    width = shutil.get_terminal_size(fallback=(80, 24)).columns
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):  # a closed or fake stream
        tty = False
    colour = tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    return Terminal(max(MIN_WIDTH, min(MAX_WIDTH, width)), colour)
