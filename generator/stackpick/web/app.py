"""The Starlette application: routes, error answers in JSON, and the render pool's life cycle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from stackpick.errors import InvalidAnswerError, MissingAnswersError, StackpickError, UsageError
from stackpick.web import catalog, inputs, page
from stackpick.web.archive import FORMATS
from stackpick.web.catalog import TeamTemplate
from stackpick.web.inputs import HTTPError
from stackpick.web.middleware import RequestMiddleware
from stackpick.web.observability import METRICS
from stackpick.web.options import ServeOptions
from stackpick.web.pool import BusyError, RenderPool, RenderTimeoutError
from stackpick.web.worker import Job

LOG = logging.getLogger("stackpick.web")
STATIC = Path(__file__).resolve().parent / "static"


@dataclass
class State:
    """What every request shares: the options, the team templates, the pool, the template store."""

    options: ServeOptions
    teams: tuple[TeamTemplate, ...]
    pool: RenderPool | None = None
    src: str = ""
    vcs_ref: str = ""
    failure: str = ""  # why the server cannot become ready
    ready: asyncio.Event = field(default_factory=asyncio.Event)


def _state(request: Request) -> State:
    state: State = request.app.state.stackpick
    return state


def _error(status: int, message: str, key: str | None = None,
           headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "key": key}, status, headers=headers)


def _user_error(exc: StackpickError) -> HTTPError:
    """A validation error from stackpick's own checks as a 400 naming the key."""
    if isinstance(exc, InvalidAnswerError):
        return HTTPError(400, str(exc), exc.key)
    if isinstance(exc, MissingAnswersError):
        return HTTPError(400, f"missing answers for: {', '.join(exc.keys)}", exc.keys[0])
    return HTTPError(400, str(exc))


async def _guard(request: Request, handler: Callable[[], Awaitable[Response]]) -> Response:
    """Run HANDLER, turning refusals into JSON answers; anything else is a bug (500, logged)."""
    try:
        return await handler()
    except HTTPError as exc:
        return _error(exc.status, exc.message, exc.key, exc.headers)
    except UsageError as exc:
        err = _user_error(exc)
        return _error(err.status, err.message, err.key)
    except BusyError:
        retry = str(_state(request).options.retry_after)
        return _error(503, f"the server is rendering as many projects as it allows; retry in {retry} s",
                      headers={"Retry-After": retry})
    except RenderTimeoutError:
        return _error(504, f"rendering took longer than {_state(request).options.render_timeout:g} s")
    except BrokenProcessPool:
        return _error(503, "a render process stopped; retry", headers={"Retry-After": "1"})


def _not_ready(state: State) -> HTTPError:
    message = state.failure or "the server is still preparing its templates"
    return HTTPError(503, message, headers={"Retry-After": str(state.options.retry_after)})


async def _render(request: Request, output: str) -> tuple[Job, Any]:
    state = _state(request)
    raw: dict[str, object] = {k: v for k, v in (await inputs.fields(request, state.options)).items() if v != ""}
    wanted = str(raw.pop("template", ""))
    team = catalog.pick(state.teams, wanted)
    job: Job = (catalog.team_job(team, raw, output) if team
                else catalog.own_job(raw, state.src, state.vcs_ref, output))
    if not state.ready.is_set() or state.pool is None:
        raise _not_ready(state)
    try:
        return job, await state.pool.run(job)
    except StackpickError as exc:  # Copier refused the team template's answers
        if team is None:
            raise
        # Name the template as users know it, never by its location on the server.
        message = str(exc).replace(team.src, team.name)
        named = re.search(r"question '([^']+)'", message)
        key = named.group(1) if named and named.group(1) in team.questions else "template"
        raise HTTPError(400, message, key) from exc


async def index(request: Request) -> Response:
    """The initializr page for browsers; plain-text usage for curl and other non-HTML clients."""
    if "text/html" in request.headers.get("accept", ""):
        return HTMLResponse(request.app.state.page)
    return PlainTextResponse(page.usage(str(request.base_url).rstrip("/")))


async def metadata(request: Request) -> Response:
    """What a client needs to build its own form: questions, stacks, version, templates."""
    return JSONResponse(page.metadata(_state(request).teams))


async def recommend_answers(request: Request) -> Response:
    """`stackpick recommend --json`, over HTTP: the same function, the same JSON."""
    async def handle() -> Response:
        from stackpick.questions import parse_answers
        from stackpick.recommendation import recommend

        answers = parse_answers(await inputs.json_object(request, _state(request).options))
        return JSONResponse(recommend(answers).as_dict())
    return await _guard(request, handle)


async def tree(request: Request) -> Response:
    """The files the answers would produce (rendered for real, then listed)."""
    async def handle() -> Response:
        job, files = await _render(request, "tree")
        return JSONResponse({"root": job.top, "files": files})
    return await _guard(request, handle)


def starter(fmt: str) -> Callable[[Request], Awaitable[Response]]:
    """GET or POST /starter.<fmt>: the project as an archive with one top-level folder."""
    async def download(request: Request) -> Response:
        async def handle() -> Response:
            job, data = await _render(request, fmt)
            disposition = f'attachment; filename="{job.top}.{fmt}"'
            return Response(data, media_type=FORMATS[fmt], headers={"Content-Disposition": disposition})
        return await _guard(request, handle)
    return download


async def healthz(request: Request) -> Response:
    """Liveness: the process answers."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Readiness: the template store is prepared and the render processes are running."""
    state = _state(request)
    if state.ready.is_set():
        return JSONResponse({"status": "ready"})
    err = _not_ready(state)
    return _error(err.status, err.message, headers=err.headers)


async def metrics(request: Request) -> Response:
    """Prometheus text format."""
    return Response(generate_latest(METRICS.registry), media_type=CONTENT_TYPE_LATEST)


async def http_error(request: Request, exc: Exception) -> Response:
    """404, 405 and every other HTTP error as JSON, keeping headers such as Allow."""
    assert isinstance(exc, HTTPException)
    message = {404: "not found", 405: "method not allowed"}.get(exc.status_code, str(exc.detail))
    return _error(exc.status_code, message, headers=dict(exc.headers or {}))


async def server_error(request: Request, exc: Exception) -> Response:
    """A bug: logged with its traceback, answered with the request id to quote."""
    rid = request.scope.get("state", {}).get("request_id", "")
    LOG.error("unhandled error", exc_info=exc, extra={"request_id": rid})
    return _error(500, f"internal error (request id {rid}); the server log has the details")


async def _prepare(state: State) -> None:
    from stackpick.new import template_store

    try:
        templates = await asyncio.to_thread(template_store)
        state.src, state.vcs_ref = templates.src, templates.current
        assert state.pool is not None
        await state.pool.start()
    except (StackpickError, BrokenProcessPool, OSError) as exc:
        state.failure = f"cannot prepare: {exc}"
        LOG.error("not ready", extra={"reason": state.failure})
        return
    state.ready.set()
    LOG.info("ready", extra={"template_version": state.vcs_ref, "workers": state.options.workers})


def create_app(options: ServeOptions, teams: Sequence[TeamTemplate] = ()) -> Starlette:
    """The application for OPTIONS, offering stackpick's template and TEAMS."""
    state = State(options, tuple(teams))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state.pool = RenderPool(options.workers, options.max_renders, options.render_timeout)
        preparing = asyncio.create_task(_prepare(state))
        try:
            yield
        finally:
            preparing.cancel()
            await asyncio.to_thread(state.pool.close)

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/api/metadata", metadata, methods=["GET"]),
        Route("/api/recommend", recommend_answers, methods=["POST"]),
        Route("/api/tree", tree, methods=["GET", "POST"]),
        Route("/starter.zip", starter("zip"), methods=["GET", "POST"]),
        Route("/starter.tar.gz", starter("tar.gz"), methods=["GET", "POST"]),
        Route("/starter.tgz", starter("tar.gz"), methods=["GET", "POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={HTTPException: http_error, Exception: server_error})
    app.state.stackpick = state
    app.state.page = page.html(state.teams)
    app.add_middleware(RequestMiddleware, router=app.router)
    return app
