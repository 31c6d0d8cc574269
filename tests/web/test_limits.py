"""Safe as a shared service: bounded renders, 503 past the limit, 504 past the time, no temp left,
team templates only from the server's own list, graceful stop."""

from __future__ import annotations

import concurrent.futures
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stackpick.questions import ALL_QUESTIONS
from tests.support import free_port, terminate_server, tool
from tests.web.client import WebServer, call, post_json, start, unpack


def test_32_concurrent_downloads_all_complete_and_leave_nothing(web: WebServer) -> None:
    barrier = threading.Barrier(32)

    def download(n: int) -> tuple[int, list[str]]:
        barrier.wait()
        resp = call(web.base + "/starter.zip?" + urlencode({"project_name": f"svc {n}", "stack": "flask"}),
                    timeout=300)
        return resp.status, list(unpack(resp.body, "zip")) if resp.status == 200 else [resp.body.decode()]

    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        pending = pool.map(download, range(32))
        time.sleep(1)  # renders are running: the event loop must still answer at once
        started = time.monotonic()
        assert call(web.base + "/healthz").status == 200
        assert time.monotonic() - started < 1
        results = list(pending)
    assert [status for status, _ in results] == [200] * 32, results
    for n, (_, names) in enumerate(results):
        assert f"svc_{n}/svc_{n}/__init__.py" in names
    web.wait_clean(timeout=5)


def test_a_client_that_disconnects_mid_render_leaves_nothing(web: WebServer) -> None:
    port = int(web.base.rsplit(":", 1)[1])
    for n in range(3):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(f"GET /starter.zip?project_name=gone{n} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            time.sleep(0.2)  # the render has started; hang up without reading
    assert web.renders_left(), "the renders should still be running when the clients are gone"
    web.wait_clean()


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> WebServer:
    with start(tmp_path_factory.mktemp("tight"), "--workers", "1", "--max-renders", "1") as server:
        yield server  # type: ignore[misc]


def test_beyond_the_limit_is_503_with_retry_after(tight: WebServer) -> None:
    barrier = threading.Barrier(4)

    def download(n: int) -> tuple[int, dict[str, str], bytes]:
        barrier.wait()
        resp = call(tight.base + f"/starter.zip?project_name=busy{n}", timeout=120)
        return resp.status, resp.headers, resp.body

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(download, range(4)))
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [200, 503, 503, 503], [r[2][:200] for r in results]
    for status, headers, body in results:
        if status == 503:
            assert headers["retry-after"] == "2" and headers["content-type"] == "application/json"
            assert body == (b'{"error":"the server is rendering as many projects as it allows; '
                            b'retry in 2 s","key":null}')
    assert call(tight.base + "/starter.zip?project_name=after").status == 200  # the slot came back
    tight.wait_clean()


def test_a_render_past_the_timeout_is_504_and_cleaned(tmp_path: Path) -> None:
    with start(tmp_path, "--workers", "1", "--render-timeout", "0.05") as server:
        for n in range(3):  # the timer goes off at different steps of the render
            resp = call(server.base + f"/starter.tar.gz?project_name=slow{n}")
            assert resp.status == 504, resp.body
            assert resp.json() == {"error": "rendering took longer than 0.05 s", "key": None}
        server.wait_clean()
        assert 'stackpick_renders_total{outcome="timeout",output="tar.gz"} 3.0' in \
            call(server.base + "/metrics").body.decode()


# A render process whose timer fired: a git child still writing (a shell that ignores SIGTERM
# stands in for a stubborn one), and a grandchild. stop_children must leave none running.
_STOP_CHILDREN = """
import subprocess, sys
from stackpick.web import worker
plain = subprocess.Popen(["sleep", "60"])
stubborn = subprocess.Popen(["sh", "-c", "trap '' TERM; sleep 60 & wait"])
import time; time.sleep(0.3)
worker.CHILD_GRACE_SECONDS = 0.5
print(worker.stop_children(), plain.poll() is not None, stubborn.poll() is not None)
"""


def test_a_timed_out_render_stops_the_processes_it_started() -> None:
    done = subprocess.run([sys.executable, "-c", _STOP_CHILDREN], capture_output=True, text=True, timeout=30)
    assert done.stderr == ""
    assert done.stdout == "3 True True\n"  # sleep, sh and sh's sleep: all stopped


def _team_template(root: Path, *, tasks: bool = False) -> Path:
    root.mkdir()
    config = ("project_name:\n  type: str\nflavour:\n  type: str\n  default: plain\n"
              "  validator: \"{% if flavour == 'bad' %}not a flavour{% endif %}\"\n")
    if tasks:
        config += "_tasks:\n  - touch pwned\n"
    (root / "copier.yml").write_text(config)
    (root / "README.md.jinja").write_text("# {{ project_name }} ({{ flavour }})\n")
    return root


def test_team_templates_by_name_only_and_never_trusted(tmp_path: Path) -> None:
    good = _team_template(tmp_path / "service-template")
    bad = _team_template(tmp_path / "runs-code", tasks=True)
    refused = subprocess.run([tool("stackpick"), "serve", "--port", str(free_port()), "--template", str(good),
                              "--template", str(bad)], capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2
    assert refused.stderr == (f"stackpick: error: --template {bad}: it uses tasks, migrations or Jinja extensions, "
                              "which run code; stackpick serve never renders such a template: remove it from "
                              "the list\n")
    with start(tmp_path / "srv", "--template", str(good)) as server:
        meta = call(server.base + "/api/metadata").json()
        assert isinstance(meta, dict)
        assert meta["templates"][1] == {"id": "service-template", "number": 1,
                                        "questions": ["flavour", "project_name"]}
        for chosen in ("service-template", "1"):
            resp = call(server.base + "/starter.zip?" + urlencode(
                {"template": chosen, "project_name": "Billing", "flavour": "spicy"}))
            assert resp.status == 200, resp.body
            assert unpack(resp.body, "zip")["Billing/README.md"][0] == b"# Billing (spicy)\n"
        unknown = call(server.base + "/starter.zip?" + urlencode({"template": str(good), "project_name": "x"}))
        assert unknown.status == 400 and unknown.json() == {
            "error": f"template: {str(good)[:80]!r} is not offered here; this server offers: stackpick, "
                     "service-template", "key": "template"}
        refused = call(server.base + "/starter.zip?template=1&project_name=x&flavour=bad")
        assert refused.status == 400 and refused.json() == {
            "error": "rendering service-template failed: Validation error for question 'flavour': not a flavour",
            "key": "flavour"}
        stray = call(server.base + "/starter.zip?template=1&project_name=x&colour=red")
        assert stray.status == 400 and isinstance(stray.json(), dict) and stray.json()["key"] == "colour"
        server.wait_clean()


def test_sigterm_drains_in_flight_downloads_then_exits_0(tmp_path: Path) -> None:
    with start(tmp_path, "--workers", "1") as server, concurrent.futures.ThreadPoolExecutor(1) as pool:
        pending = pool.submit(call, server.base + "/starter.zip?project_name=draining")
        deadline = time.monotonic() + 10
        while not server.renders_left():  # the render is under way
            assert time.monotonic() < deadline
            time.sleep(0.02)
        elapsed = terminate_server(server.server)
        assert pending.result().status == 200
        assert server.server.process.returncode == 0, server.server.output()
        assert elapsed < 10
        assert list(server.tmp.iterdir()) == []  # the temp root went with the server


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--workers", "0"], 2, "--workers and --max-renders must be at least 1, --render-timeout above 0"),
    (["--render-timeout", "0"], 2, "--workers and --max-renders must be at least 1, --render-timeout above 0"),
    (["--port", "{busy}"], 1, "cannot listen on 127.0.0.1:{busy}: Address already in use; "
                              "pick another --host or --port"),
], ids=["workers", "timeout", "busy-port"])
def test_start_up_refusals_are_one_line(web: WebServer, args: list[str], code: int, message: str) -> None:
    busy = web.base.rsplit(":", 1)[1]
    result = subprocess.run([tool("stackpick"), "serve", *(a.format(busy=busy) for a in args)],
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (code, f"stackpick: error: {message.format(busy=busy)}\n")


def test_serve_without_the_web_extra_says_how_to_install_it() -> None:
    script = ("import sys; sys.modules['uvicorn'] = None\n"
              "from stackpick.cli import main; sys.exit(main(['serve']))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (
        2, "stackpick: error: stackpick serve needs the web extra (uvicorn is missing): install stackpick "
           "with it, e.g. `pip install -e '.[web]'` in a checkout or `pipx install '.[web]'`\n")


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                           max_leaves=6)
KEYS = st.sampled_from([q.key for q in ALL_QUESTIONS]) | st.text(max_size=20)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=st.dictionaries(KEYS, JSON_VALUES, max_size=6))
def test_no_json_answers_make_a_500(web: WebServer, answers: dict[str, object]) -> None:
    resp = post_json(web.base + "/api/recommend", answers)
    assert resp.status in (200, 400), resp.body
    assert resp.headers["content-type"] == "application/json"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200))
def test_no_query_string_makes_a_500(web: WebServer, raw: bytes) -> None:
    resp = call(web.base + "/api/tree?" + quote(raw, safe="=&"))
    assert resp.status in (200, 400), resp.body
    assert resp.headers["content-type"] == "application/json"


def test_a_render_process_keeps_its_own_stop_handlers(tmp_path: Path) -> None:
    """render() leaves SIGINT and SIGTERM recording-only for the rest of a `new` command; a render
    process lives on, so it must get its handlers back (or a SIGTERM would no longer stop it)."""
    from stackpick.web import worker

    template = _team_template(tmp_path / "service-template")
    folder = tmp_path / "render"
    folder.mkdir()

    def own(signum: int, frame: object) -> None:
        raise AssertionError("not called")

    before = {sig: signal.signal(sig, own) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        job = worker.Job({"project_name": "kept"}, str(template), None, "kept", "tree")
        listing = worker.build(job, str(folder), timeout=60)
        assert isinstance(listing, list) and "README.md" in {entry["path"] for entry in listing}
        assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == (own, own)
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
