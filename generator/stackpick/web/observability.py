"""JSON log lines, request ids and Prometheus metrics, as the generated projects have them."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}


def request_id(given: str | None) -> str:
    """The client's X-Request-ID when it is well-formed, else a new one (uuid4 hex)."""
    return given if given and REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, message and whatever `extra=` added."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                    + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging(level: str = "INFO") -> None:
    """Every log line (ours and uvicorn's) as JSON on stdout."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper() if level.upper() in logging.getLevelNamesMapping() else "INFO")
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # our middleware logs each request once


@dataclass
class Metrics:
    """The server's Prometheus metrics, in their own registry (served at /metrics)."""

    registry: CollectorRegistry = field(default_factory=lambda: CollectorRegistry(auto_describe=True))

    def __post_init__(self) -> None:
        self.requests = Counter("http_requests_total", "HTTP requests by route and status",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("http_request_duration_seconds", "HTTP request duration by route",
                                 ["route"], registry=self.registry,
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
        self.renders = Counter("stackpick_renders_total", "Renders by output and outcome",
                               ["output", "outcome"], registry=self.registry)
        self.render_seconds = Histogram("stackpick_render_duration_seconds", "Render time, queue included",
                                        ["output"], registry=self.registry,
                                        buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30))
        self.in_flight = Gauge("stackpick_renders_in_flight", "Renders accepted and not finished",
                               registry=self.registry)


METRICS = Metrics()
