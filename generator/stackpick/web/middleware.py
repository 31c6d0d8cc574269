"""One ASGI middleware around every request: request id, security headers, a log line, metrics."""

from __future__ import annotations

import logging
import time

from starlette.datastructures import MutableHeaders
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stackpick.web.observability import METRICS, request_id

LOG = logging.getLogger("stackpick.web")

# No inline script or style anywhere: the page loads /static/app.js and /static/style.css only.
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


class RequestMiddleware:
    """Gives each request an id (X-Request-ID), secures and logs its response, counts it."""

    def __init__(self, app: ASGIApp, router: Router) -> None:
        self.app, self.router = app, router

    def route(self, scope: Scope) -> str:
        """The matched route's path (bounded label values for metrics), else `unmatched`."""
        for route in self.router.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return str(getattr(route, "path", "unmatched"))
        return "unmatched"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = request_id(given)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["x-request-id"] = rid
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            elapsed = time.perf_counter() - started
            route = self.route(scope)
            METRICS.requests.labels(scope["method"], route, str(status)).inc()
            METRICS.latency.labels(route).observe(elapsed)
            LOG.info("request", extra={"method": scope["method"], "path": scope["path"], "status": status,
                                       "duration_ms": round(elapsed * 1000, 2), "request_id": rid})
