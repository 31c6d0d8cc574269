"""Helpers the tests share: running commands, free ports, serving and probing a project."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
VENV_BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """A tool from this test environment's venv, else from PATH."""
    candidate = VENV_BIN / name
    return str(candidate) if candidate.exists() else (shutil.which(name) or name)


def run(cmd: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None,
        timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run a command, capture its output, and fail the test with that output if it fails."""
    result = subprocess.run(list(cmd), cwd=cwd, env=_env(env), capture_output=True, text=True,
                            timeout=timeout, check=False)
    assert result.returncode == 0, (
        f"{' '.join(cmd)} exited {result.returncode} in {cwd}\n"
        f"--- stdout ---\n{result.stdout[-4000:]}\n--- stderr ---\n{result.stderr[-4000:]}"
    )
    return result


def _env(extra: Mapping[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env.update(extra or {})
    return env


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Response:
    status: int
    body: bytes
    headers: Mapping[str, str]

    def json(self) -> object:
        return json.loads(self.body)


def get(url: str, timeout: float = 10, headers: Mapping[str, str] | None = None) -> Response:
    """GET without following redirects; HTTP errors come back as responses, not exceptions."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with opener.open(request, timeout=timeout) as resp:
            return Response(resp.status, resp.read(), dict(resp.headers))
    except urllib.error.HTTPError as err:
        return Response(err.code, err.read(), dict(err.headers))


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]


def wait_until_up(server: Server, path: str = "/healthz", timeout: float = 60) -> None:
    """Poll PATH until it answers; fail with the server's output if it dies or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"server exited {server.process.returncode}:\n{server.output()}")
        with contextlib.suppress(OSError):
            get(server.base + path, timeout=2)
            return
        time.sleep(0.25)
    raise AssertionError(f"server never answered {path} within {timeout}s:\n{server.output()}")


@contextlib.contextmanager
def serve(cmd: Sequence[str], cwd: Path, env: Mapping[str, str], port: int,
          wait: bool = True) -> Iterator[Server]:
    """Start a server in its own process group on 127.0.0.1:PORT; always stop it afterwards."""
    log = cwd.parent / f"{cwd.name}-server-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(list(cmd), cwd=cwd, env=_env(env), stdout=sink,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        if wait:
            wait_until_up(server)
        yield server
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def terminate_server(server: Server) -> float:
    """SIGTERM the real server (the command's own process, or the one `make` runs); time the exit."""
    root = psutil.Process(server.process.pid)
    children = root.children()
    target = children[0].pid if root.name() == "make" and children else root.pid
    started = time.monotonic()
    os.kill(target, signal.SIGTERM)
    server.process.wait(timeout=30)
    return time.monotonic() - started


def leftover_jinja(root: Path) -> list[str]:
    """Files under ROOT that still contain Jinja delimiters after rendering."""
    skip = {".git", "node_modules", ".venv", "__pycache__", "staticfiles"}  # installed or built, not rendered
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not skip.intersection(path.relative_to(root).parts):
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue  # binary: compressed static files can contain any bytes
            # GitHub Actions' own `${{ ... }}` expressions are meant to stay in workflow files.
            if "{{" in text.replace("${{", "") or "{%" in text:
                found.append(str(path.relative_to(root)))
    return found


def wait_for_line(proc: subprocess.Popen[str], marker: str) -> None:
    """Read PROC's stderr until the line MARKER."""
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.strip() == marker:
            return
    raise AssertionError(f"the run ended before {marker!r}")


def wait_for_pause(proc: subprocess.Popen[str], stage: str) -> None:
    """Read PROC's stderr until it is paused at STAGE (stackpick.pausepoints)."""
    wait_for_line(proc, f"stackpick-test: paused at {stage}")


def send_stop(proc: subprocess.Popen[str], sig: signal.Signals) -> None:
    """SIGINT as a terminal sends it (to the whole group: PROC needs its own session); others to PROC."""
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)


def stop(proc: subprocess.Popen[str], sig: signal.Signals) -> tuple[int, str]:
    """Send SIG and wait; the exit code and stderr without the pause points' lines."""
    send_stop(proc, sig)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, "".join(line for line in err.splitlines(keepends=True)
                                    if not line.startswith("stackpick-test:"))
