"""The HTTP API against a real server: metadata, recommend, refusals as JSON, headers, probes."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from stackpick import __version__
from stackpick.cli import main
from stackpick.questions import ALL_QUESTIONS, DECISION_QUESTIONS, STACK_QUESTION
from tests.web.client import WebServer, call, post_form, post_json


def test_metadata_lists_every_question_from_the_questionnaire(web: WebServer) -> None:
    resp = call(web.base + "/api/metadata")
    assert resp.status == 200 and resp.headers["content-type"] == "application/json"
    meta = resp.json()
    assert isinstance(meta, dict)
    assert meta["version"] == __version__
    assert [q["key"] for q in meta["questions"]] == [q.key for q in ALL_QUESTIONS]
    for q, shown in zip(ALL_QUESTIONS, meta["questions"], strict=True):
        assert (shown["prompt"], shown["help"], shown["default"]) == (q.prompt, q.help, q.default)
        assert shown["choices"] == [{"value": v, "label": label} for v, label in q.choices]
        assert shown["type"] == ("boolean" if q.boolean else "choice" if q.choices else "text")
    assert [s["id"] for s in meta["stacks"]] == [v for v, _ in STACK_QUESTION.choices]
    assert meta["templates"] == [{"id": "stackpick", "number": 0, "questions": [q.key for q in ALL_QUESTIONS]}]
    assert meta["formats"] == ["zip", "tar.gz"]


def _answer_sets() -> list[dict[str, object]]:
    """40 answer sets, partial and full, strings and JSON booleans, drawn with a fixed seed."""
    rng = random.Random(13)
    sets: list[dict[str, object]] = [{}]
    for _ in range(39):
        answers: dict[str, object] = {}
        for q in DECISION_QUESTIONS:
            if rng.random() < 0.8:
                value = rng.choice(q.values)
                answers[q.key] = value if rng.random() < 0.5 else str(value).lower()
        sets.append(answers)
    return sets


def test_recommend_is_exactly_the_cli_json(web: WebServer, capsys: pytest.CaptureFixture[str]) -> None:
    for answers in _answer_sets():
        argv = ["recommend", "--json", *(f"--data={k}={str(v).lower()}" for k, v in answers.items())]
        assert main(argv) == 0
        expected = json.loads(capsys.readouterr().out)
        resp = post_json(web.base + "/api/recommend", answers)
        assert resp.status == 200, resp.body
        assert resp.json() == expected, answers


def _cli_error(argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """What `stackpick new --defaults --no-git ARGV` says on stderr (without its `stackpick: error: `)."""
    capsys.readouterr()
    assert main(["new", str(tmp_path / "never"), "--defaults", "--no-git", *argv]) == 2
    return capsys.readouterr().err.strip().removeprefix("stackpick: error: ")


# (query fields, key named); the message must be the CLI's for the same --data.
SAME_AS_CLI = [
    ({"project_name": "x", "color": "blue"}, "color"),
    ({"project_name": "x", "app_type": "blog"}, "app_type"),
    ({"project_name": "x", "cpu_heavy": "maybe"}, "cpu_heavy"),
    ({"project_name": "x", "stack": "rails"}, "stack"),
    ({"project_name": "a/b"}, "project_name"),
    ({"project_name": "../../etc/passwd"}, "project_name"),
    ({"project_name": "x" * 65}, "project_name"),
    ({"project_name": "Orders", "stack": "flask", "project_slug": "../evil"}, "project_slug"),
    ({"project_name": "Orders", "stack": "flask", "project_slug": "/etc"}, "project_slug"),
    ({"project_name": "Orders", "stack": "express", "project_slug": "..\\evil"}, "project_slug"),
    ({"project_name": "test", "stack": "flask"}, "project_slug"),
    ({"project_name": "日本", "stack": "django"}, "project_slug"),
]


@pytest.mark.parametrize(("fields", "key"), SAME_AS_CLI, ids=[f"{k}-{i}" for i, (_, k) in enumerate(SAME_AS_CLI)])
def test_bad_answers_are_400_naming_the_key_with_the_cli_message(
        web: WebServer, fields: dict[str, str], key: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    expected = _cli_error([f"--data={k}={v}" for k, v in fields.items()], tmp_path, capsys)
    for resp in (call(web.base + "/starter.zip?" + urlencode(fields)),
                 post_form(web.base + "/starter.tar.gz", fields), post_form(web.base + "/api/tree", fields)):
        assert resp.status == 400, resp.body
        assert resp.headers["content-type"] == "application/json"
        assert resp.json() == {"error": expected, "key": key}


@pytest.mark.parametrize(("path", "kwargs", "status", "body"), [
    ("/starter.zip", {}, 400, {"error": "missing answers for: project_name", "key": "project_name"}),
    ("/starter.zip?project_name=a&app_type=cms&app_type=iot", {}, 400,
     {"error": "app_type: given more than once", "key": "app_type"}),
    ("/starter.zip?project_name=%ff", {}, 400,
     {"error": "the query string is not valid UTF-8 form encoding (UnicodeDecodeError)", "key": None}),
    ("/starter.zip?project_name=a&template=https://evil.example/t.git", {}, 400,
     {"error": "template: 'https://evil.example/t.git' is not offered here; this server offers: stackpick",
      "key": "template"}),
    ("/starter.zip?project_name=a&template=../../etc", {}, 400,
     {"error": "template: '../../etc' is not offered here; this server offers: stackpick", "key": "template"}),
    ("/starter.zip?project_name=" + "a" * 5000, {}, 414,
     {"error": "query string longer than 4096 bytes", "key": None}),
    ("/starter.zip", {"method": "POST", "body": b"project_name=" + b"a" * 20000,
                      "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 413,
     {"error": "request body larger than 16384 bytes", "key": None}),
    ("/starter.zip", {"method": "POST", "body": b"--x\r\n",
                      "headers": {"Content-Type": "multipart/form-data; boundary=x"}}, 415,
     {"error": "send answers as a query string or an application/x-www-form-urlencoded form", "key": None}),
    ("/api/recommend", {"method": "POST", "body": b"{not json", "headers": {"Content-Type": "application/json"}},
     400, {"error": "the body is not valid JSON (JSONDecodeError)", "key": None}),
    ("/api/recommend", {"method": "POST", "body": b"[1, 2]", "headers": {"Content-Type": "application/json"}},
     400, {"error": "the body must be a JSON object of answers, e.g. {\"app_type\": \"rest_api\"}", "key": None}),
    ("/api/recommend", {"method": "POST", "body": b'{"colour": "red"}'}, 400, None),
    ("/api/recommend", {"method": "POST", "body": b'{"cpu_heavy": [true]}'}, 400, None),
    ("/nowhere", {}, 404, {"error": "not found", "key": None}),
    ("/static/../pyproject.toml", {}, 404, {"error": "not found", "key": None}),
    ("/api/recommend", {}, 405, {"error": "method not allowed", "key": None}),
    ("/starter.zip", {"method": "DELETE"}, 405, {"error": "method not allowed", "key": None}),
])
def test_every_refusal_is_json(web: WebServer, path: str, kwargs: dict[str, object], status: int,
                               body: dict[str, object] | None) -> None:
    resp = call(web.base + path, **kwargs)  # type: ignore[arg-type]
    assert resp.status == status, resp.body
    assert resp.headers["content-type"] == "application/json"
    if body is not None:
        assert resp.json() == body
    else:  # the key named is the offending one, in the CLI's words
        payload = resp.json()
        assert isinstance(payload, dict) and payload["key"] in ("colour", "cpu_heavy")
        assert payload["error"].startswith(payload["key"] + ": ")
    if status == 405:
        allowed = {"POST"} if path == "/api/recommend" else {"GET", "HEAD", "POST"}
        assert set(resp.headers["allow"].split(", ")) == allowed


def test_security_headers_and_request_ids(web: WebServer) -> None:
    page = call(web.base + "/", headers={"Accept": "text/html", "X-Request-ID": "trace-42.a_b"})
    assert page.status == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["x-request-id"] == "trace-42.a_b"
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert b"<script>" not in page.body and b" style=" not in page.body  # nothing inline for the CSP to block
    bad_id = call(web.base + "/healthz", headers={"X-Request-ID": "no spaces allowed"})
    assert len(bad_id.headers["x-request-id"]) == 32 and bad_id.headers["x-request-id"].isalnum()
    for path in ("/nowhere", "/api/metadata", "/static/app.js"):
        assert call(web.base + path).headers["x-content-type-options"] == "nosniff"


def test_request_log_lines_are_json_with_the_request_id(web: WebServer) -> None:
    call(web.base + "/healthz", headers={"X-Request-ID": "log-line-check"})
    deadline = time.monotonic() + 10
    while True:  # the line is written once the response has gone out
        lines = [json.loads(line) for line in web.server.log.read_text().splitlines() if line.startswith("{")]
        mine = [line for line in lines if line.get("request_id") == "log-line-check"]
        if mine or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(mine) == 1, lines[-5:]
    assert mine[0]["method"] == "GET" and mine[0]["path"] == "/healthz" and mine[0]["status"] == 200
    assert {"time", "level", "duration_ms"} <= set(mine[0])


def test_probes_and_metrics(web: WebServer) -> None:
    assert call(web.base + "/healthz").json() == {"status": "ok"}
    assert call(web.base + "/readyz").json() == {"status": "ready"}
    call(web.base + "/starter.zip")  # a 400, counted
    metrics = call(web.base + "/metrics")
    assert metrics.status == 200 and metrics.headers["content-type"].startswith("text/plain")
    text = metrics.body.decode()
    assert 'http_requests_total{method="GET",route="/starter.zip",status="400"}' in text
    assert "stackpick_renders_in_flight" in text


def test_curl_gets_plain_text_usage(web: WebServer) -> None:
    resp = call(web.base + "/", headers={"Accept": "*/*", "User-Agent": "curl/8.5.0"})
    assert resp.status == 200 and resp.headers["content-type"] == "text/plain; charset=utf-8"
    text = resp.body.decode()
    assert f"curl -sSf '{web.base}/starter.tar.gz?project_name=orders&app_type=rest_api' | tar xz" in text
    for q in ALL_QUESTIONS:
        assert f"\n  {q.key} " in text
