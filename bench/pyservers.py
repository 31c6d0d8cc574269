"""Granian against gunicorn for one generated Python project: same app, logging, metrics and worker count.

A generated Flask or Django project serves with `python serve.py` (`make serve`): Granian for
the plain variants. The comparison runs that serve.py with WEB_CONCURRENCY=N against gunicorn
serving the same app (serve.py's `APP`) with N workers, `sync` (one request at a time per
worker, gunicorn's default and the old templates' choice) and `gthread` with serve.py's own
THREADS. gunicorn is added to the project's venv here only, at GUNICORN, and started from a
config that does what serve.py does before serving: an empty multi-process metrics directory,
the app's JSON logging (one line per request, with its request id, written by the app on both
servers; no server access log on either), and the app loaded once in the master (preload).
So the rows differ only in the server.

`recycled` is serve.py with its workers' lifetime cut from an hour to RECYCLE_SECONDS, so a
sustained run sees Granian replace every worker under load (apps.py counts the restarts).
"""

from __future__ import annotations

import re
from pathlib import Path

import projects
from baselines import Server
from procs import BenchError, clean_env, run

GUNICORN = "gunicorn==27.0.1"
RECYCLE_SECONDS = 60  # Granian's shortest worker lifetime
SHORTEST_SUSTAINED = RECYCLE_SECONDS + 15  # a sustained run long enough for every recycled worker to go
# A worker process starting, in either server's log: the first N are the boot, the rest restarts.
SPAWN = re.compile(r"Booting worker with pid|Spawning worker-\d+")
CONFIG = "bench_gunicorn.conf.py"

# serve.py's set-up for gunicorn: metrics directory, logging, preload. BENCH_* pick the worker model.
GUNICORN_CONF = '''\
import os
import sys

sys.path.insert(0, os.getcwd())
import serve  # noqa: E402

serve.prepare_metrics_dir()
from {slug}.observability import logging_config  # noqa: E402

bind = "127.0.0.1:" + os.environ["PORT"]
workers = int(os.environ["WEB_CONCURRENCY"])
worker_class = os.environ["BENCH_WORKER_CLASS"]
threads = int(os.environ["BENCH_THREADS"])
preload_app = True
accesslog = None
errorlog = "-"
logconfig_dict = logging_config("info", {{"gunicorn.error": {{"handlers": [], "propagate": True}}}})
control_socket_disable = True
worker_tmp_dir = "/dev/shm"
'''


def _setting(project: Path, pattern: str, what: str) -> str:
    found = re.search(pattern, (project / "serve.py").read_text(), re.M)
    if found is None:
        raise BenchError(f"{project / 'serve.py'} has no {what}; update bench/pyservers.py")
    return found.group(1)


def app_target(project: Path) -> str:
    """`module:callable` of the app serve.py serves (its `APP = "..."` line)."""
    return _setting(project, r'^APP = "([\w.]+:\w+)"$', '`APP = "module:callable"` line')


def threads(project: Path) -> int:
    """serve.py's THREADS: Granian's blocking threads per WSGI worker (gunicorn gthread gets as many)."""
    return int(_setting(project, r"^THREADS = (\d+)$", "`THREADS = N` line"))


def serve_env(project: Path) -> dict[str, str]:
    """What `make serve` exports before starting the server."""
    env = projects.dotenv_values(project)
    if (project / "manage.py").is_file():
        env.update(DJANGO_SETTINGS_MODULE="config.settings.production", SECURE_SSL_REDIRECT="false",
                   ALLOWED_HOSTS="localhost,127.0.0.1")
    return env


def prepare(project: Path, uv: Path) -> None:
    """gunicorn in the project's venv with serve.py's set-up as its config; Django's static files collected."""
    python = project / ".venv" / "bin" / "python"
    run([str(uv), "pip", "install", "--quiet", "--python", str(python), GUNICORN], env=clean_env(), timeout=300)
    (project / CONFIG).write_text(GUNICORN_CONF.format(slug=_package(project)))
    if (project / "manage.py").is_file():  # make serve collects static files before it starts the server
        run([str(python), "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=project,
            env=clean_env(**serve_env(project)), timeout=300)


def _package(project: Path) -> str:
    """The project's package: the folder that holds observability.py (not Django's config/)."""
    found = [p.parent.name for p in project.glob("*/observability.py")]
    if len(found) != 1:
        raise BenchError(f"{project}: expected one <package>/observability.py, found {found}")
    return found[0]


def servers(project: Path, stack: str, workers: int) -> list[Server]:
    """serve.py (Granian) and gunicorn sync and gthread serving PROJECT with WORKERS processes each."""
    python, count = str(project / ".venv" / "bin" / "python"), str(workers)
    env = {**serve_env(project), "WEB_CONCURRENCY": count}
    gunicorn = [python, "-m", "gunicorn", "-c", CONFIG, app_target(project)]
    per_worker = str(threads(project))
    return [
        Server(f"{stack}: granian (serve.py), {workers} workers", stack, "server", [python, "serve.py"], project,
               "/healthz", env),
        Server(f"{stack}: gunicorn sync, {workers} workers", stack, "server", gunicorn, project, "/healthz",
               {**env, "BENCH_WORKER_CLASS": "sync", "BENCH_THREADS": "1"}),
        Server(f"{stack}: gunicorn gthread x{per_worker}, {workers} workers", stack, "server", gunicorn, project,
               "/healthz", {**env, "BENCH_WORKER_CLASS": "gthread", "BENCH_THREADS": per_worker}),
    ]


def recycled(project: Path, stack: str) -> Server:
    """serve.py as `make serve` runs it, but with every worker replaced after RECYCLE_SECONDS."""
    source = (project / "serve.py").read_text()
    setting = "WORKER_LIFETIME_SECONDS: int | None = 3600"
    if setting not in source:
        raise BenchError(f"{project / 'serve.py'} no longer has `{setting}`; update bench/pyservers.py")
    (project / "serve_recycled.py").write_text(
        source.replace(setting, f"WORKER_LIFETIME_SECONDS: int | None = {RECYCLE_SECONDS}"))
    return Server(f"{stack}: make serve, workers recycled every {RECYCLE_SECONDS} s", stack, "recycled",
                  [str(project / ".venv" / "bin" / "python"), "serve_recycled.py"], project, "/healthz",
                  serve_env(project))


def spawns(log: Path) -> int:
    """Worker processes started so far, by the server's log."""
    return len(SPAWN.findall(log.read_text(errors="replace"))) if log.is_file() else 0


def kind(log: Path) -> str:
    """Which server wrote LOG: gunicorn, granian, or `?`."""
    text = log.read_text(errors="replace").lower() if log.is_file() else ""
    return next((name for name in ("gunicorn", "granian") if name in text), "?")
