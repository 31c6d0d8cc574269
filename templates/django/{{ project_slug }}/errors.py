"""Error answers in JSON with the request id, like every other answer (wired in config/urls.py)."""

from http import HTTPStatus

from django.http import HttpRequest, JsonResponse

from .observability import current_request_id


def error_response(status: int) -> JsonResponse:
    """`{"error": <reason phrase>, "request_id": <id>}` with that status."""
    body = {"error": HTTPStatus(status).phrase, "request_id": current_request_id()}
    return JsonResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> JsonResponse:
    """400, including a Host header that ALLOWED_HOSTS does not list."""
    return error_response(400)


def permission_denied(request: HttpRequest, exception: Exception) -> JsonResponse:
    """403."""
    return error_response(403)


def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    """404."""
    return error_response(404)


def server_error(request: HttpRequest) -> JsonResponse:
    """500 (the traceback goes to the log, never to the client)."""
    return error_response(500)


def csrf_failure(request: HttpRequest, reason: str = "") -> JsonResponse:
    """403 for a request that failed the CSRF check."""
    return error_response(403)
