"""Answers out of a request (query string, form or JSON body), read within size limits.

Only the transport is checked here (size, encoding, repeated keys, shape); what the answers mean is
checked by stackpick.questions and stackpick.names, the same functions the command line uses.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from starlette.requests import ClientDisconnect, Request

from stackpick.web.options import ServeOptions


class HTTPError(Exception):
    """A request the server refuses: status, message, and the answer key it is about (if any)."""

    def __init__(self, status: int, message: str, key: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.key, self.headers = status, message, key, headers or {}

    def body(self) -> dict[str, object]:
        """The JSON body: `{"error": ..., "key": ...}`."""
        return {"error": self.message, "key": self.key}


async def body(request: Request, limits: ServeOptions) -> bytes:
    """The request body, refused (413) past the limit before it is all read."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_body:
        raise HTTPError(413, f"request body larger than {limits.max_body} bytes")
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limits.max_body:
                raise HTTPError(413, f"request body larger than {limits.max_body} bytes")
            chunks.append(chunk)
    except ClientDisconnect as exc:
        raise HTTPError(400, "the client closed the connection before sending the whole body") from exc
    return b"".join(chunks)


def query(request: Request, limits: ServeOptions) -> dict[str, str]:
    """The query string's fields, refused (414) past the limit."""
    raw = request.scope.get("query_string", b"")
    if len(raw) > limits.max_query:
        raise HTTPError(414, f"query string longer than {limits.max_query} bytes")
    return _pairs(raw.decode("latin-1"), "query string")


def _pairs(text: str, where: str) -> dict[str, str]:
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, encoding="utf-8",
                          errors="strict", max_num_fields=64)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPError(400, f"the {where} is not valid UTF-8 form encoding ({exc.__class__.__name__})") from exc
    fields: dict[str, str] = {}
    for key, value in pairs:
        if key in fields:
            raise HTTPError(400, f"{key}: given more than once", key)
        fields[key] = value
    return fields


async def fields(request: Request, limits: ServeOptions) -> dict[str, str]:
    """Query fields, plus a POSTed form's fields (`application/x-www-form-urlencoded`)."""
    found = query(request, limits)
    if request.method == "POST":
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        raw = await body(request, limits)
        if raw and kind != "application/x-www-form-urlencoded":
            raise HTTPError(415, "send answers as a query string or an application/x-www-form-urlencoded form")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise HTTPError(400, "the form is not valid UTF-8") from exc
        for key, value in _pairs(text, "form").items():
            if key in found:
                raise HTTPError(400, f"{key}: given more than once", key)
            found[key] = value
    return found


async def json_object(request: Request, limits: ServeOptions) -> dict[str, object]:
    """A JSON object body (an empty body is an empty object)."""
    raw = await body(request, limits)
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPError(400, f"the body is not valid JSON ({exc.__class__.__name__})") from exc
    if not isinstance(value, dict):
        raise HTTPError(400, "the body must be a JSON object of answers, e.g. {\"app_type\": \"rest_api\"}")
    return value
