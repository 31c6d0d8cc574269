"""`stackpick new --defaults` against `copier copy --defaults` of the same template, ref and answers.

stackpick renders from its template store (a git bundle under $XDG_DATA_HOME/stackpick, at a tag),
so copier gets that same bundle and tag, plus every answer stackpick passed: the recorded answers
and the computed `decision` record. Both outputs are compared file by file once, so the timing
compares the same work.
"""

from __future__ import annotations

import filecmp
import shutil
import sys
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from procs import BenchError, run, timed
from table import Verdict, markdown, median, ms, ratio

LIMIT = 1.15
ROOT = Path(__file__).resolve().parent.parent
ANSWERS = {"project_name": "bench", "app_type": "rest_api", "team_language": "python"}


def stackpick_cmd(stackpick: Sequence[str], dest: Path) -> list[str]:
    """The `new` command measured, non-interactive and without git."""
    data = [arg for key, value in ANSWERS.items() for arg in ("-d", f"{key}={value}")]
    return [*stackpick, "new", str(dest), "--defaults", "--no-git", "--stack", "flask", *data]


def installed(work: Path, env: Mapping[str, str]) -> tuple[list[str], dict[str, str]] | None:
    """stackpick as a built wheel installs it (shipping its template history), or None if no wheel builds.

    A development checkout rebuilds the template history from git on every `new`; an installed
    stackpick reads the bundle it ships. The wheel is unpacked and run with this interpreter, whose
    site-packages already hold stackpick's dependencies, exactly as its console script would.
    """
    out = work / "wheel"
    try:
        run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check",
             "--wheel-dir", str(out), str(ROOT)], env=env, timeout=300)
    except BenchError as exc:
        print(f"(no installed-wheel row: building the wheel failed: {str(exc).splitlines()[0]})\n")
        return None
    site = work / "wheel-site"
    with zipfile.ZipFile(next(out.glob("stackpick-*.whl"))) as wheel:
        wheel.extractall(site)
    script = "import sys; from stackpick.cli import main; sys.exit(main())"
    return [sys.executable, "-c", script], {**env, "PYTHONPATH": str(site)}


def copier_cmd(copier: Path, bundle: str, tag: str, data_file: Path, dest: Path) -> list[str]:
    """The same render with Copier alone (quiet, as stackpick runs it)."""
    return [str(copier), "copy", "--quiet", "--defaults", "--vcs-ref", tag, "--data-file", str(data_file),
            bundle, str(dest)]


def copier_answers(recorded: Mapping[str, Any]) -> dict[str, Any]:
    """Every answer stackpick gave Copier: the recorded ones plus the computed decision record."""
    from stackpick.new import decision_record  # the same record `new` computes
    from stackpick.recommendation import recommend

    answers = {key: value for key, value in recorded.items() if not key.startswith("_")}
    return {**answers, "decision": decision_record(recommend(answers), str(answers["stack"]))}


def differences(left: Path, right: Path) -> list[str]:
    """Files that differ between two rendered trees (relative paths), the answers file aside."""
    found: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(prefix + name for name in cmp.left_only + cmp.right_only + cmp.diff_files)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right), "")
    return sorted(name for name in found if name != ".copier-answers.yml")


def bench(stackpick: Path, copier: Path, work: Path, runs: int, env: Mapping[str, str]) -> list[Verdict]:
    """Warm the store, check both commands render the same tree, then time them interleaved."""
    out = work / "generation"
    out.mkdir(parents=True)
    checkout = [str(stackpick)]
    run(stackpick_cmd(checkout, out / "warm"), env=env)  # builds the store; also the reference tree
    recorded = yaml.safe_load((out / "warm" / ".copier-answers.yml").read_text())
    bundle, tag = str(recorded["_src_path"]), str(recorded["_commit"])
    data_file = out / "answers.yml"
    data_file.write_text(yaml.safe_dump(copier_answers(recorded)))
    run(copier_cmd(copier, bundle, tag, data_file, out / "copier-warm"), env=env)
    diff = differences(out / "warm", out / "copier-warm")

    variants: dict[str, tuple[list[str], Mapping[str, str]]] = {"checkout": (checkout, env)}
    wheel = installed(work, env)
    if wheel is not None:
        run(stackpick_cmd(wheel[0], out / "wheel-warm"), env=wheel[1])  # merges its shipped history
        variants["wheel"] = wheel
    times: dict[str, list[float]] = {name: [] for name in [*variants, "copier"]}
    for i in range(runs):
        for name, (cmd, cmd_env) in variants.items():
            times[name].append(timed(stackpick_cmd(cmd, out / f"{name}{i}"), env=cmd_env))
        times["copier"].append(timed(copier_cmd(copier, bundle, tag, data_file, out / f"copier{i}"), env=env))
        for name in times:
            shutil.rmtree(out / f"{name}{i}")
    plain = median(times["copier"])
    label = {"checkout": "stackpick new, this venv (development checkout: rebuilds the template history)",
             "wheel": "stackpick new, installed from a wheel (reads its shipped history)"}
    rows = [[label[name], ms(median(times[name])), ratio(median(times[name]) / plain)] for name in variants]
    rows.append([f"copier copy --defaults --vcs-ref {tag} STORE (same answers)", ms(plain), "1.00x"])
    print(markdown(["command (--defaults --no-git --stack flask, 3 answers)", "wall time", "vs copier"], rows),
          end="\n\n")
    print(f"Template store: {bundle} at tag {tag}. Trees rendered by stackpick and Copier: "
          + ("identical." if not diff else f"differ in {', '.join(diff)}."), end="\n\n")
    short = {"checkout": "development checkout", "wheel": "installed wheel"}
    verdicts = [Verdict(f"{short[name]}: stackpick new is "
                        f"{ratio(median(times[name]) / plain)} copier copy (limit {LIMIT:.2f}x)",
                        median(times[name]) / plain <= LIMIT) for name in variants]
    if diff:
        verdicts.append(Verdict("stackpick new and copier copy render the same files", False))
    return verdicts
