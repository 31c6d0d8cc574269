"""Granian against gunicorn for the generated Flask and Django apps: the Python server choice.

    .venv/bin/python bench/python_servers.py [--rounds 5] [--seconds 8] [--stacks flask,django]
        [--realtime] [--lifetime SECONDS]

Renders each generated app with `stackpick new`, installs it with its own `make install`, adds
gunicorn to its venv (here only), and loads each server in interleaved rounds with
`wrk -t2 -c50` on loopback. Every server runs the same app with the same JSON request log and
multi-process metrics: the generated `serve.py` (Granian, or gunicorn where the project uses
it), and gunicorn started from a config that sets up logging and metrics the same way.
Worker counts: each server's default sizing for this machine's CPUs, and both at the same count.
The naive baselines (`app.run()`, `runserver`) are the articles' hello worlds (baselines.py).

--lifetime N runs Granian with workers recycled every N seconds (>= 60) for 2N + 10 seconds
beside the same server without recycling, to show whether recycling reaches the p99.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from baselines import Server, django_naive, flask_naive
from procs import clean_env, free_port, run, serving
from wrk import Load, load

ROOT = Path(__file__).resolve().parent.parent
STACKPICK = Path(sys.executable).parent / "stackpick"
UV = Path(sys.executable).parent / "uv"
GUNICORN = "gunicorn==27.0.1"
CPUS = len(os.sched_getaffinity(0))

# A gunicorn config with serve.py's logging and metrics set-up: the comparison differs only in
# the server. BENCH_* variables pick the worker class and threads.
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


@dataclass
class Result:
    """Every round's load for one server."""

    server: Server
    loads: list[Load] = field(default_factory=list)

    def median(self) -> tuple[float, float]:
        return statistics.median(x.rps for x in self.loads), statistics.median(x.p99_ms for x in self.loads)


def project(tmp: Path, stack: str, realtime: bool) -> tuple[Path, str]:
    """Render and install one generated project; return it and its package name."""
    dest = tmp / f"{stack}{'-realtime' if realtime else ''}"
    answers = ["-d", "project_name=benchapp", "-d", f"app_type={'realtime' if realtime else 'rest_api'}",
               "-d", "concurrency=medium"]
    run([str(STACKPICK), "new", str(dest), "--defaults", "--no-git", "--stack", stack, *answers])
    path = os.pathsep.join([str(UV.parent), os.environ["PATH"]])
    run(["make", "install"], cwd=dest, env=clean_env(PATH=path), timeout=900)
    run([str(UV), "pip", "install", "--quiet", "--python", str(dest / ".venv" / "bin" / "python"), GUNICORN],
        cwd=dest)
    (dest / "bench_gunicorn.conf.py").write_text(GUNICORN_CONF.format(slug="benchapp"))
    if stack == "django":
        env = clean_env(**django_env(dest), SECRET_KEY="collectstatic-only")
        run([str(dest / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--noinput"], cwd=dest, env=env)
    return dest, "benchapp"


def django_env(dest: Path) -> dict[str, str]:
    return {"DJANGO_SETTINGS_MODULE": "config.settings.production", "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1", "DATABASE_URL": f"sqlite:///{dest / 'data' / 'bench.sqlite3'}"}


def servers(dest: Path, stack: str, realtime: bool) -> list[Server]:
    """The generated project under each server and worker count, plus its naive baseline."""
    python = str(dest / ".venv" / "bin" / "python")
    env = {"SECRET_KEY": "bench-" + "x" * 50, "HOST": "127.0.0.1", **(django_env(dest) if stack == "django" else {})}
    target = ("config.asgi:application" if realtime else "config.wsgi:application") if stack == "django" \
        else "benchapp.wsgi:app"
    if realtime and stack == "django":
        gunicorn_kinds = [("asgi", "1")]
    elif realtime:
        gunicorn_kinds = [("gthread", "128")]
    else:
        gunicorn_kinds = [("sync", "1"), ("gthread", "4")]
    label = f"{stack}{' realtime' if realtime else ''}"
    result = []
    for workers in sorted({CPUS, 2 * CPUS + 1}):
        result.append(Server(f"{label}: serve.py, {workers} workers", stack, "generated", [python, "serve.py"], dest,
                             "/healthz", {**env, "WEB_CONCURRENCY": str(workers)}))
        for kind, threads in gunicorn_kinds:
            cmd = [python, "-m", "gunicorn", "-c", "bench_gunicorn.conf.py", target]
            result.append(Server(f"{label}: gunicorn {kind} x{threads}, {workers} workers", stack, "reference", cmd,
                                 dest, "/healthz", {**env, "WEB_CONCURRENCY": str(workers),
                                                    "BENCH_WORKER_CLASS": kind, "BENCH_THREADS": threads}))
    return result


def recycled(plain: Server, dest: Path, lifetime: int) -> Server:
    """The same server with its workers recycled every LIFETIME seconds (a copy of serve.py)."""
    source = (dest / "serve.py").read_text()
    setting = "WORKER_LIFETIME_SECONDS: int | None = 3600"
    if setting not in source:
        raise SystemExit(f"error: serve.py no longer has `{setting}`; update bench/python_servers.py")
    changed = source.replace(setting, f"WORKER_LIFETIME_SECONDS: int | None = {lifetime}")
    (dest / "serve_recycled.py").write_text(changed)
    return Server(f"{plain.name}, recycled every {lifetime} s", plain.stack, "generated",
                  [plain.cmd[0], "serve_recycled.py"], dest, "/healthz", plain.env)


@contextmanager
def started(server: Server, log: Path) -> Iterator[str]:
    port = free_port()
    cmd = [part.replace("{port}", str(port)) for part in server.cmd]
    env = clean_env(**server.env, PORT=str(port))
    with serving(cmd, cwd=server.cwd, env=env, ready_url=f"http://127.0.0.1:{port}{server.ready_path}", log=log):
        yield f"http://127.0.0.1:{port}/"


def measure(all_servers: list[Server], rounds: int, seconds: int, logs: Path) -> list[Result]:
    """Interleaved rounds: each round loads every server once, in a rotated order."""
    results = [Result(server) for server in all_servers]
    for round_number in range(rounds):
        shift = round_number % len(results)
        for result in results[shift:] + results[:shift]:
            with started(result.server, logs / f"{len(result.loads)}-{abs(hash(result.server.name))}.log") as url:
                load(url, 1)  # warm-up: imports, connection pools, first requests
                result.loads.append(load(url, seconds))
            print(f"  round {round_number + 1}: {result.server.name}: {result.loads[-1].rps:,.0f} req/s, "
                  f"p99 {result.loads[-1].p99_ms:.1f} ms", file=sys.stderr, flush=True)
    return results


def report(results: list[Result]) -> None:
    """A markdown table per stack: medians, ranges, and the ratio to the naive server."""
    for stack in dict.fromkeys(r.server.stack for r in results):
        rows = [r for r in results if r.server.stack == stack]
        naive = next((r for r in rows if r.server.role == "naive"), None)
        print(f"\n| {stack} server | requests/s (median, range) | p99 ms (median, range) | x naive |")
        print("|---|---|---|---|")
        for r in rows:
            rps, p99 = r.median()
            rps_all, p99_all = [x.rps for x in r.loads], [x.p99_ms for x in r.loads]
            ratio = f"{rps / naive.median()[0]:.2f}x" if naive else "-"
            errors = sum(x.non_2xx + x.socket_errors for x in r.loads)
            note = f" ({errors} errors)" if errors else ""
            print(f"| {r.server.name}{note} | {rps:,.0f} ({min(rps_all):,.0f}-{max(rps_all):,.0f}) | "
                  f"{p99:.1f} ({min(p99_all):.1f}-{max(p99_all):.1f}) | {ratio} |")


def main() -> None:
    """Measure and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--stacks", default="flask,django")
    parser.add_argument("--realtime", action="store_true", help="the real-time variants (WebSockets)")
    parser.add_argument("--lifetime", type=int, default=0, help="compare Granian with recycling every N s")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-servers-") as scratch:
        tmp = Path(scratch)
        (tmp / "logs").mkdir()
        all_servers: list[Server] = []
        for stack in args.stacks.split(","):
            dest, _ = project(tmp, stack, args.realtime)
            venv = dest / ".venv"
            if args.lifetime:
                plain = servers(dest, stack, args.realtime)[0]
                all_servers += [plain, recycled(plain, dest, args.lifetime)]
                continue
            naive = flask_naive(tmp / f"naive-{stack}", venv) if stack == "flask" else django_naive(
                tmp / f"naive-{stack}", venv)
            all_servers += [naive, *servers(dest, stack, args.realtime)]
        seconds = 2 * args.lifetime + 10 if args.lifetime else args.seconds
        print(f"{CPUS} CPUs; wrk -t2 -c50 -d{seconds}s on loopback; {args.rounds} interleaved rounds", file=sys.stderr)
        report(measure(all_servers, args.rounds, seconds, tmp / "logs"))


if __name__ == "__main__":
    main()
