"""What every request goes through, outermost: its id, its log line and its metrics.

It runs under WSGI and ASGI alike (sync and async capable), so the ASGI server used for
WebSockets does not hop threads for it.
"""

from collections.abc import Awaitable, Callable
from typing import cast

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponseNotAllowed, JsonResponse
from django.http.response import HttpResponseBase

from . import observability
from .health import PROBE_PATHS

Handler = Callable[[HttpRequest], HttpResponseBase | Awaitable[HttpResponseBase]]
# X-Request-ID as Django stores it; read directly, since request.headers parses every header.
REQUEST_ID_META = "HTTP_" + observability.REQUEST_ID_HEADER.upper().replace("-", "_")


class RequestMiddleware:
    """Give each request an id (X-Request-ID), then log, count and time its answer."""

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
        timer = observability.begin(request.META.get(REQUEST_ID_META))
        response = cast(HttpResponseBase, self.get_response(request))
        return finish(request, response, timer)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        timer = observability.begin(request.META.get(REQUEST_ID_META))
        response = await cast(Awaitable[HttpResponseBase], self.get_response(request))
        return finish(request, response, timer)


def route_of(request: HttpRequest) -> str:
    """The URL pattern that served the request (one metrics series per endpoint, not per URL)."""
    match = request.resolver_match
    if match is not None:
        return "/" + match.route
    if request.path in PROBE_PATHS:
        return request.path
    return observability.UNMATCHED_ROUTE


def finish(
    request: HttpRequest, response: HttpResponseBase, timer: observability.RequestTimer
) -> HttpResponseBase:
    """Echo the request id, answer a 405 in JSON like every other error, log and count."""
    if isinstance(response, HttpResponseNotAllowed):
        allow = response["Allow"]
        response = JsonResponse(
            {"error": "Method Not Allowed", "request_id": timer.request_id}, status=405
        )
        response["Allow"] = allow
    response[observability.REQUEST_ID_HEADER] = timer.request_id
    method = request.method or "GET"
    observability.finish(timer, method, route_of(request), request.path, response.status_code)
    return response
