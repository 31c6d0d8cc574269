"""A running `stackpick serve` and plain HTTP calls to it (urllib: no client library to trust)."""

from __future__ import annotations

import contextlib
import io
import json
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from tests.support import Response, Server, free_port, serve, tool


@dataclass
class WebServer:
    """A `stackpick serve` subprocess with its own TMPDIR, so its temp folders can be counted."""

    server: Server
    tmp: Path

    @property
    def base(self) -> str:
        return self.server.base

    def renders_left(self) -> list[Path]:
        """Render folders still on disk (the server keeps them under its own stackpick-serve.* root)."""
        return [p for root in self.tmp.glob("stackpick-serve.*") for p in root.iterdir()]

    def wait_clean(self, timeout: float = 30) -> None:
        """Wait until no render folder is left; fail naming them if some stay."""
        deadline = time.monotonic() + timeout
        while self.renders_left() and time.monotonic() < deadline:
            time.sleep(0.1)
        left = self.renders_left()
        assert left == [], f"left: {[str(p) for p in left]}\n{self.server.output()}"


@contextlib.contextmanager
def start(workdir: Path, *args: str, port: int | None = None,
          env: Mapping[str, str] | None = None) -> Iterator[WebServer]:
    """`stackpick serve --port PORT ARGS` on 127.0.0.1, ready (templates prepared) before it yields."""
    port = port or free_port()
    env = {"TMPDIR": str(workdir / "tmp"), **(env or {})}
    tmp = Path(env["TMPDIR"])
    tmp.mkdir(parents=True, exist_ok=True)
    workdir.mkdir(parents=True, exist_ok=True)
    cmd = [tool("stackpick"), "serve", "--port", str(port), *args]
    with serve(cmd, workdir, env, port) as server:
        web = WebServer(server, tmp)
        deadline = time.monotonic() + 90
        while call(web.base + "/readyz").status != 200:
            assert server.process.poll() is None and time.monotonic() < deadline, server.output()
            time.sleep(0.2)
        yield web


def call(url: str, method: str = "GET", body: bytes | None = None, headers: Mapping[str, str] | None = None,
         timeout: float = 120) -> Response:
    """One request; HTTP errors come back as responses."""
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return Response(resp.status, resp.read(), dict(resp.headers))
    except urllib.error.HTTPError as err:
        return Response(err.code, err.read(), dict(err.headers))


def post_json(url: str, payload: object) -> Response:
    """POST a JSON body."""
    return call(url, "POST", json.dumps(payload).encode(), {"Content-Type": "application/json"})


def post_form(url: str, fields: Mapping[str, str] | Sequence[tuple[str, str]]) -> Response:
    """POST an application/x-www-form-urlencoded form, as a browser does."""
    return call(url, "POST", urlencode(fields).encode(), {"Content-Type": "application/x-www-form-urlencoded"})


def unpack(data: bytes, fmt: str) -> dict[str, tuple[bytes, int]]:
    """An archive's files: entry name -> (bytes, permission bits)."""
    files: dict[str, tuple[bytes, int]] = {}
    if fmt == "zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                files[info.filename] = (archive.read(info), (info.external_attr >> 16) & 0o777)
    else:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in archive.getmembers():
                assert member.isfile(), member.name
                extracted = archive.extractfile(member)
                assert extracted is not None
                files[member.name] = (extracted.read(), member.mode & 0o777)
    return files


def tree(root: Path) -> dict[str, tuple[bytes, int]]:
    """A folder's files the same way: relative posix path -> (bytes, permission bits)."""
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mode & 0o777)
            for p in sorted(root.rglob("*")) if p.is_file()}
