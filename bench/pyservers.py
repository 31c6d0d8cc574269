"""Granian against gunicorn for one generated Python project: same app, logging and worker count.

Both servers load the project's own WSGI app (the `APP :=` of its Makefile) with the environment
its `make serve` exports (.env; for Django the production settings, plain HTTP, localhost allowed),
N worker processes each, and the same logging: the server's access log on stdout for both when
the project's gunicorn.conf.py turns gunicorn's on, off for both otherwise (the app then logs each
request itself). gunicorn reads the project's gunicorn.conf.py when there is one (worker class,
timeouts, recycling), with `--workers N` on top; Granian runs `--interface wsgi --workers N` with
its defaults otherwise (the `make serve` rows of apps.py measure whatever the project ships,
options included). A server the project does not install is added to its venv at the version
pinned here, so both are measured whichever one the templates chose.
"""

from __future__ import annotations

import re
from pathlib import Path

import projects
from baselines import Server
from procs import BenchError, clean_env, run

GUNICORN = "gunicorn==27.0.1"
GRANIAN = "granian==2.8.9"
# A worker process starting, in either server's log: the first N are the boot, the rest restarts.
SPAWN = re.compile(r"Booting worker with pid|Spawning worker-\d+")


def app_target(project: Path) -> str:
    """`module:callable` of the project's WSGI app, read from its Makefile's `APP :=` line."""
    found = re.search(r"^APP\s*[:?]?=\s*(\S+)\s*$", (project / "Makefile").read_text(), re.M)
    if found is None:
        raise BenchError(f"{project / 'Makefile'} has no `APP := module:callable` line; update bench/pyservers.py")
    target = found.group(1)
    if ".asgi" in target:
        raise BenchError(f"{project} serves ASGI ({target}); the server comparison needs a WSGI variant")
    return target if ":" in target else f"{target}:application"


def serve_env(project: Path) -> dict[str, str]:
    """What `make serve` exports before starting the server."""
    env = projects.dotenv_values(project)
    if (project / "manage.py").is_file():
        env.update(DJANGO_SETTINGS_MODULE="config.settings.production", SECURE_SSL_REDIRECT="false",
                   ALLOWED_HOSTS="localhost,127.0.0.1")
    return env


def ensure(project: Path, uv: Path, pin: str) -> Path:
    """The server's console script in the project's venv, installed at PIN when the project lacks it."""
    name = pin.split("==")[0]
    script = project / ".venv" / "bin" / name
    if not script.is_file():
        run([str(uv), "pip", "install", "--quiet", "--python", str(project / ".venv" / "bin" / "python"), pin],
            env=clean_env(), timeout=300)
    return script


def access_log(project: Path) -> bool:
    """Does the project's server write its own access log (gunicorn.conf.py's `accesslog`)?

    When it does not (no gunicorn.conf.py, or `accesslog = None`), the app logs each request
    itself, so neither server measured here gets its access log turned on.
    """
    config = project / "gunicorn.conf.py"
    if not config.is_file():
        return False
    read = "import runpy, sys; print(runpy.run_path(sys.argv[1]).get('accesslog') is not None)"
    return run([str(project / ".venv" / "bin" / "python"), "-c", read, str(config)], cwd=project,
               env=clean_env(**serve_env(project)), timeout=60).strip().endswith("True")


def prepare_django(project: Path) -> None:
    """Migrate and collect static files as `make serve` does first (the servers below skip make)."""
    env = clean_env(**serve_env(project))
    for step in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        run([".venv/bin/python", "manage.py", *step, "--verbosity", "0"], cwd=project, env=env, timeout=300)


def servers(project: Path, stack: str, uv: Path, workers: int) -> list[Server]:
    """gunicorn and Granian serving PROJECT with WORKERS processes each."""
    target, env = app_target(project), {**serve_env(project), "WEB_CONCURRENCY": str(workers)}
    gunicorn = ensure(project, uv, GUNICORN)
    config = ["-c", "gunicorn.conf.py"] if (project / "gunicorn.conf.py").is_file() else []
    granian = ensure(project, uv, GRANIAN)
    logged = access_log(project)
    return [
        Server(f"{stack}: gunicorn, {workers} workers", stack, "server",
               [str(gunicorn), *config, "--bind", "127.0.0.1:{port}", "--workers", str(workers), target],
               project, "/healthz", env),
        Server(f"{stack}: granian, {workers} workers", stack, "server",
               [str(granian), "--interface", "wsgi", "--host", "127.0.0.1",
                "--port", "{port}", "--workers", str(workers), "--access-log" if logged else "--no-access-log",
                target],
               project, "/healthz", env),
    ]


def spawns(log: Path) -> int:
    """Worker processes started so far, by the server's log."""
    return len(SPAWN.findall(log.read_text(errors="replace"))) if log.is_file() else 0


def kind(log: Path) -> str:
    """Which server wrote LOG: gunicorn, granian, or `?`."""
    text = log.read_text(errors="replace") if log.is_file() else ""
    return next((name for name in ("gunicorn", "granian") if name in text.lower()), "?")
