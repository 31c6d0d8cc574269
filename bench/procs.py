"""Processes for the benchmarks: bounded runs, timed runs, free ports, servers in their own group.

Everything started here runs in a new session (its own process group), so one signal stops a
command together with every process it spawned (make, its shell, gunicorn and its workers).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path


class BenchError(Exception):
    """A step of the benchmark could not run: a build failed, a server never answered."""


def _stop_group(proc: subprocess.Popen[bytes] | subprocess.Popen[str], grace: float) -> None:
    """SIGTERM the process group, wait up to GRACE seconds, then SIGKILL whatever is left."""
    pgid = proc.pid
    with suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        proc.poll()
        try:
            os.killpg(pgid, 0)  # anything of the group left (workers can outlive their master)?
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        with suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
    proc.wait()


def run(cmd: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None,
        timeout: float = 600) -> str:
    """Run CMD to completion (killing its whole group on timeout); return stdout, raise on failure."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=dict(env) if env is not None else None, text=True,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        _stop_group(proc, grace=2)
        raise BenchError(f"{' '.join(cmd)} took longer than {timeout:.0f} s") from exc
    except BaseException:
        _stop_group(proc, grace=2)
        raise
    if proc.returncode != 0:
        tail = "\n".join(out.strip().splitlines()[-15:])
        raise BenchError(f"{' '.join(cmd)} (in {cwd or '.'}) exited {proc.returncode}:\n{tail}")
    return out


def timed(cmd: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None,
          timeout: float = 120) -> float:
    """Whole-process wall time of CMD in seconds (output discarded); raise if it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=dict(env) if env is not None else None,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=timeout)
    except BaseException:
        _stop_group(proc, grace=2)
        raise
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(cmd)} exited {proc.returncode}: {err.decode(errors='replace')[-800:]}")
    return elapsed


def clean_env(**extra: str) -> dict[str, str]:
    """Our environment minus an outer make's settings (`make bench` runs us from make), plus EXTRA."""
    drop = {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}
    return {**{k: v for k, v in os.environ.items() if k not in drop}, **extra}


def free_port() -> int:
    """A loopback port the OS says is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never via a proxy


def _answers(url: str) -> bool:
    try:
        with _DIRECT.open(url, timeout=2) as response:
            return 200 <= int(response.status) < 400
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def serving(cmd: Sequence[str], *, cwd: Path, env: Mapping[str, str], ready_url: str, log: Path,
            wait: float = 60, poll: float = 0.2) -> Iterator[None]:
    """Run a server in its own process group until the block ends; wait for READY_URL first."""
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + wait
        while not _answers(ready_url):
            if proc.poll() is not None:
                raise BenchError(f"{' '.join(cmd)} exited {proc.returncode} before answering; "
                                 f"see {log}:\n{_tail(log)}")
            if time.monotonic() > deadline:
                raise BenchError(f"no answer from {ready_url} after {wait:.0f} s; see {log}:\n{_tail(log)}")
            time.sleep(poll)
        yield
    finally:
        _stop_group(proc, grace=15)


def _tail(log: Path, lines: int = 15) -> str:
    return "\n".join(log.read_text(errors="replace").strip().splitlines()[-lines:])
