"""The picture of the apps section: requests/s and p99 per server, one bar each, grouped by stack.

matplotlib comes from the `bench` extra (`make bench` installs it); without it the run still
prints every table and says the plot was skipped. The SVG keeps its text as text and no date, so
two runs with the same numbers write the same file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from apps import Result

COLOURS = {"generated": "#1b6ca8", "server": "#7aa6c2", "cluster": "#7aa6c2", "naive": "#b0b0b0",
           "reference": "#d9d9d9"}
LEGEND = {"generated": "generated project, as make serve runs it",
          "server": "generated app, other server or entry point, same worker count",
          "naive": "naive hello world (the baseline)", "reference": "reference, no verdict"}


def write(results: Sequence[Result], out: Path, title: str) -> str:
    """Draw RESULTS to OUT (SVG or PNG by its suffix); return a line saying what was written."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.patches import Patch
    except ImportError:
        return f"Plot skipped: matplotlib is not installed (pip install -e '.[bench]'); {out} left as it was."
    matplotlib.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "stackpick-bench", "font.size": 9})
    names = [r.server.name for r in results][::-1]
    colours = [COLOURS.get(r.server.role, "#888888") for r in results][::-1]
    height = 0.32 * len(results) + 2.0
    fig, (left, right) = plt.subplots(1, 2, sharey=True, figsize=(11, height))
    _bars(left, names, [r.rps for r in results][::-1], colours, "requests/s (higher is better)", "{:,.0f}")
    _bars(right, names, [r.p99_ms for r in results][::-1], colours, "p99 latency, ms (lower is better)", "{:.1f}")
    fig.suptitle(title, fontsize=10)
    handles = [Patch(color=COLOURS[role], label=text) for role, text in LEGEND.items()
               if any(r.server.role == role or (role == "server" and r.server.role == "cluster") for r in results)]
    fig.legend(handles=handles, loc="lower center", ncol=2, frameon=False, fontsize=8)
    fig.tight_layout(rect=(0, 0.5 / height, 1, 1))  # half an inch for the legend
    fig.savefig(out, metadata={"Date": None} if out.suffix == ".svg" else None)
    plt.close(fig)
    return f"Plot written: {out}"


def _bars(ax: Any, names: Sequence[str], values: Sequence[float], colours: Sequence[str], label: str,
          fmt: str) -> None:
    bars = ax.barh(names, values, color=colours)
    ax.bar_label(bars, labels=[fmt.format(v) for v in values], padding=3, fontsize=8)
    ax.set_xlabel(label)
    ax.set_xlim(0, max(values) * 1.18)
    ax.spines[["top", "right"]].set_visible(False)
