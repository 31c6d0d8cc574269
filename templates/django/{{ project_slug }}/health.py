"""Liveness (/healthz) and readiness (/readyz), answered before any other middleware.

Docker, Kubernetes and load balancers probe the container by IP over plain HTTP. Further down
the stack, ALLOWED_HOSTS would reject that Host header (400) and SECURE_SSL_REDIRECT would send
a 301, so this middleware sits first in MIDDLEWARE and answers the two paths itself. It never
calls request.get_host(), which is where Django validates the Host header.
"""

import logging
from collections.abc import Callable

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)


class HealthCheckMiddleware:
    """Answer GET/HEAD /healthz and /readyz; pass everything else on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            if request.path == "/healthz":
                return liveness()
            if request.path == "/readyz":
                return readiness()
        return self.get_response(request)


def liveness() -> JsonResponse:
    """The process is up and serving requests; nothing else is checked, so restarts stay rare."""
    return JsonResponse({"status": "ok"})


def readiness() -> JsonResponse:
    """Ready when the database answers a query; 503 takes the instance out of the load balancer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.exception("Readiness check failed: the database is unavailable")
        return JsonResponse({"status": "unavailable", "reason": "database"}, status=503)
    return JsonResponse({"status": "ready"})
