"""Liveness (/healthz), readiness (/readyz) and metrics (/metrics), answered before the rest.

Docker, Kubernetes, load balancers and Prometheus reach the container by IP over plain HTTP.
Further down the stack, ALLOWED_HOSTS would reject that Host header (400) and
SECURE_SSL_REDIRECT would send a 301, so this middleware sits before them and answers these
paths itself. It never calls request.get_host(), which is where Django validates the Host
header. The bundled nginx does not pass /metrics through: only Prometheus scrapes it.
"""

import logging
from collections.abc import Awaitable, Callable
from typing import cast

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase

from . import observability

PROBE_PATHS = ("/healthz", "/readyz", "/metrics")
logger = logging.getLogger(__name__)
Handler = Callable[[HttpRequest], HttpResponseBase | Awaitable[HttpResponseBase]]


class ProbeMiddleware:
    """Answer GET/HEAD on the probe paths; pass everything else on."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self.__acall__(request)
        if is_probe(request):
            return answer(request.path)
        return self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        if is_probe(request):
            # The readiness query blocks: run it on a thread, off the event loop.
            return await sync_to_async(answer)(request.path)
        return await cast(Awaitable[HttpResponseBase], self.get_response(request))


def is_probe(request: HttpRequest) -> bool:
    """Whether this middleware answers the request itself."""
    return request.method in ("GET", "HEAD") and request.path in PROBE_PATHS


def answer(path: str) -> HttpResponseBase:
    """The answer for one of PROBE_PATHS."""
    if path == "/healthz":
        return liveness()
    if path == "/readyz":
        return readiness()
    body, content_type = observability.metrics_page()
    return HttpResponse(body, content_type=content_type)


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
