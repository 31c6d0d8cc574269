"""What every request goes through: its id, its log line and metrics, security headers, JSON errors."""

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from . import observability

# A JSON API never needs to be framed, sniffed or to load anything: lock all of that down.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}
# Sent only on HTTPS answers (behind a proxy: PROXY_FIX_HOPS tells the app the scheme), since
# browsers ignore it over plain HTTP. One year, this host only: add includeSubDomains once
# every subdomain serves HTTPS.
HSTS = "max-age=31536000"


def init_app(app: Flask) -> None:
    """Install the per-request hooks and the JSON error handler on `app`."""
    app.before_request(_begin)
    app.after_request(_finish)
    app.register_error_handler(HTTPException, _http_error)


def _begin() -> None:
    g.timer = observability.begin(request.headers.get(observability.REQUEST_ID_HEADER))


def _finish(response: Response) -> Response:
    timer = g.get("timer") or observability.begin(None)
    response.headers[observability.REQUEST_ID_HEADER] = timer.request_id
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    # The route's template (/items/<id>), never the raw path: one time series per endpoint.
    route = request.url_rule.rule if request.url_rule else observability.UNMATCHED_ROUTE
    observability.finish(timer, request.method, route, request.path, response.status_code)
    return response


def _http_error(exc: HTTPException) -> Response:
    """Answer every HTTP error (400, 403, 404, 405, 500...) in JSON, keeping headers such as Allow."""
    response = jsonify(error=exc.name, request_id=observability.current_request_id())
    response.status_code = exc.code or 500
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response
