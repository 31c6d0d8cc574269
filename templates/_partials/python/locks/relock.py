"""Regenerate the uv.lock of every Python variant after pyproject.toml.jinja changed.

    .venv/bin/python templates/_partials/python/locks/relock.py [--upgrade]

Renders each variant with Copier, runs `uv lock` in it (against PyPI, universal: every
platform and Python >= 3.11), and stores the result here with the project's name templated,
so uv.lock.jinja renders a lock that `uv sync --locked` accepts for any project name.
Without --upgrade, versions already locked are kept (uv only adds what changed).
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE.parents[2]
# The variants whose dependencies differ, and answers that produce each of them.
VARIANTS = {
    "flask": {"stack": "flask", "app_type": "rest_api"},
    "flask-realtime": {"stack": "flask", "app_type": "realtime"},
    "django": {"stack": "django", "app_type": "rest_api"},
    "django-realtime": {"stack": "django", "app_type": "realtime"},
}
PLACEHOLDER = "lock-template"
NAME_LINE = f'name = "{PLACEHOLDER}"'
TEMPLATED_NAME_LINE = "name = \"{{ project_slug | replace('_', '-') }}\""


def render(answers: dict[str, str], dest: Path) -> None:
    """Render one variant of the template into `dest` with Copier."""
    data = [f"--data={key}={value}" for key, value in {**answers, "project_name": "Lock Template"}.items()]
    copier = [sys.executable, "-m", "copier", "copy", "--defaults", "--quiet", *data, str(TEMPLATES), str(dest)]
    subprocess.run(copier, check=True, stdin=subprocess.DEVNULL)


def relock(name: str, answers: dict[str, str], upgrade: bool, uv: str) -> None:
    """Lock one variant and store its lock as locks/<name>.lock."""
    stored = HERE / f"{name}.lock"
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        render(answers, project)
        if stored.exists() and stored.stat().st_size and not upgrade:
            (project / "uv.lock").write_text(stored.read_text().replace(TEMPLATED_NAME_LINE, NAME_LINE))
        else:
            (project / "uv.lock").unlink(missing_ok=True)
        subprocess.run([uv, "lock", "--quiet"], cwd=project, check=True)
        text = (project / "uv.lock").read_text()
    if text.count(NAME_LINE) != 1:
        sys.exit(f"error: expected one {NAME_LINE!r} in the {name} lock")
    stored.write_text(text.replace(NAME_LINE, TEMPLATED_NAME_LINE))
    print(f"locked {name}")


def main() -> None:
    """Relock every variant."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upgrade", action="store_true", help="move every package to its newest allowed version")
    args = parser.parse_args()
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    for name, answers in VARIANTS.items():
        relock(name, answers, args.upgrade, uv)


if __name__ == "__main__":
    main()
