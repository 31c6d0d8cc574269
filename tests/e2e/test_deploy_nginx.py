"""The generated nginx.conf, running: request ids, the JSON access log and the hidden /metrics.

nginx runs the rendered file with only what ties it to docker compose swapped for loopback
values: the listen port, the app's address (an IP literal, so the resolver is not asked) and
the /tmp paths (so parallel runs do not share a pid file). A small HTTP server stands in for the
app and records what nginx forwards.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from tests import deploy_tools
from tests.support import free_port, get
from tests.templates.test_render import MATRIX

pytestmark = pytest.mark.e2e

REQUEST_ID = re.compile(r"[0-9a-f]{32}")  # nginx's $request_id


class Upstream(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self) -> None:
        Upstream.seen.append((self.path, self.headers.get("X-Request-ID")))
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """nginx with the rendered realtime variant's config in front of the stand-in app: (base URL, log)."""
    base = tmp_path_factory.mktemp("nginx")
    [variant] = deploy_tools.render([c for c in MATRIX if c[0] == "express-realtime-high"], base)
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    port, prefix = free_port(), base / "prefix"
    prefix.mkdir()
    conf = (variant.root / "deploy/nginx.conf").read_text()
    assert conf.count("pid /tmp/nginx.pid;") == 1
    conf = conf.replace(" /tmp/", f" {prefix}/")  # the pid file and the temp folders
    app = f"set $app_upstream app:{variant.port};"
    for old, new in [("listen 8080;", f"listen 127.0.0.1:{port};"),
                     (app, f"set $app_upstream 127.0.0.1:{upstream.server_port};")]:
        assert conf.count(old) == 1, old
        conf = conf.replace(old, new)
    (prefix / "nginx.conf").write_text(conf)
    log = base / "access.log"
    with log.open("w") as sink:
        nginx = subprocess.Popen([deploy_tools.nginx_binary(), "-p", str(prefix), "-e", "stderr",
                                  "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
                                 stdout=sink, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            assert nginx.poll() is None, nginx.communicate()[1]
            try:
                if get(url + "/nginx-health", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.05)
        yield url, log
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        upstream.shutdown()


def forwarded(url: str, path: str, headers: dict[str, str] | None = None) -> str | None:
    """GET PATH through nginx; the X-Request-ID the stand-in app received."""
    Upstream.seen.clear()
    assert get(url + path, headers=headers).status == 200
    [(seen_path, request_id)] = Upstream.seen
    assert seen_path == path
    return request_id


def test_request_id_is_set_kept_or_replaced(proxy: tuple[str, Path]) -> None:
    url, _ = proxy
    assert REQUEST_ID.fullmatch(forwarded(url, "/") or "")
    assert forwarded(url, "/", {"X-Request-ID": "client-id_1.2"}) == "client-id_1.2"
    replaced = forwarded(url, "/", {"X-Request-ID": "not ok!"})
    assert REQUEST_ID.fullmatch(replaced or ""), replaced
    assert REQUEST_ID.fullmatch(forwarded(url, "/", {"X-Request-ID": "x" * 129}) or "")


def test_metrics_are_not_public(proxy: tuple[str, Path]) -> None:
    url, _ = proxy
    Upstream.seen.clear()
    for path in ("/metrics", "/metrics/", "/metrics?format=json"):
        assert get(url + path).status == 404, path
    assert Upstream.seen == []
    assert forwarded(url, "/metricsfoo") is not None  # only the metrics path itself is hidden


def test_access_log_is_one_json_line_per_request_with_its_id(proxy: tuple[str, Path]) -> None:
    url, log = proxy
    forwarded(url, "/logged", {"X-Request-ID": "log-check-7"})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and "log-check-7" not in log.read_text():
        time.sleep(0.05)
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    [entry] = [e for e in lines if e["request_id"] == "log-check-7"]
    assert {k: entry[k] for k in ("level", "method", "path", "status", "upstream_status")} == {
        "level": "info", "method": "GET", "path": "/logged", "status": 200, "upstream_status": "200"}
    assert isinstance(entry["duration_ms"], int) and 0 <= entry["duration_ms"] < 5000
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", entry["time"])
