"""Request ids, one JSON log line per request, and Prometheus metrics: the framework-free part.

The web framework's hooks call `begin()` when a request arrives and `finish()` when its answer
is ready; everything else here is plain Python, shared by every project stackpick generates.

Metrics work across worker processes: the server (serve.py) points PROMETHEUS_MULTIPROC_DIR at
an empty directory before this module is imported, each worker writes its counts there, and
`/metrics` adds them up, so N requests spread over any number of workers count N.
"""

import contextvars
import logging
import os
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from pythonjsonlogger.core import RESERVED_ATTRS

REQUEST_ID_HEADER = "X-Request-ID"
# What a caller (or nginx's $request_id) may choose: short, and safe to echo in headers and logs.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
# Routes that matched nothing share one label, so scanners cannot create a series per URL.
UNMATCHED_ROUTE = "unmatched"

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
access_log = logging.getLogger("access")

REQUESTS = Counter(
    "http_requests",
    "HTTP requests answered, by route template and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time from receiving a request to having its answer, by route template and status.",
    ["method", "route", "status"],
)


def request_id_from(header: str | None) -> str:
    """The caller's X-Request-ID when well formed, else a new random id (32 hex digits)."""
    if header is not None and _VALID_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The id of the request being served in this context, if any."""
    return _request_id.get()


@dataclass(frozen=True)
class RequestTimer:
    """What `begin()` hands to `finish()`: the request's id and when it arrived."""

    request_id: str
    started: float


def begin(header: str | None) -> RequestTimer:
    """Start timing a request and make its id the current one (for every log line it causes)."""
    request_id = request_id_from(header)
    _request_id.set(request_id)
    return RequestTimer(request_id, time.perf_counter())


# Methods outside this set share one label: a client must not be able to create series at will.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# The labelled series already used, so a request costs no label lookups (bounded: methods x
# route templates x status codes).
_series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def _series_for(method: str, route: str, status: int) -> tuple[Counter, Histogram]:
    key = (method if method in _METHODS else "OTHER", route, status)
    series = _series.get(key)
    if series is None:
        labels = (key[0], route, str(status))
        series = _series.setdefault(key, (REQUESTS.labels(*labels), LATENCY.labels(*labels)))
    return series


def finish(timer: RequestTimer, method: str, route: str, path: str, status: int) -> None:
    """Count the request, record its latency and write its access log line."""
    elapsed = time.perf_counter() - timer.started
    requests, latency = _series_for(method, route, status)
    requests.inc()
    latency.observe(elapsed)
    access_log.info(
        "%s %s %s",
        method,
        path,
        status,
        extra={
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round(elapsed * 1000, 3),
            "request_id": timer.request_id,
        },
    )
    # Threads and event loops serve one request after another: the next one sets its own id.
    _request_id.set(None)


def metrics_page() -> tuple[bytes, str]:
    """The Prometheus text exposition of every worker's metrics, and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


class RequestIdFilter(logging.Filter):
    """Add the current request's id to log records written while serving it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request_id = _request_id.get()
            if request_id is not None:
                record.request_id = request_id
        return True


class WarningWithoutTraceback(logging.Filter):
    """Turn a record into a one-line WARNING: for expected noise that a library logs as an error."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def logging_config(level: str, loggers: dict[str, Any] | None = None) -> dict[str, Any]:
    """A logging.config.dictConfig() mapping: every record as one JSON object per line on stdout."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": RequestIdFilter},
            "warning_without_traceback": {"()": WarningWithoutTraceback},
        },
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(levelname)s %(name)s %(process)d %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": "time",
                # Django attaches the request object to some records: not JSON, and not needed.
                "reserved_attrs": [*RESERVED_ATTRS, "request"],
            }
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["stdout"], "level": level.upper()},
        "loggers": loggers or {},
    }
