"""`stackpick serve`: check the team templates, then run the app under uvicorn until SIGTERM/Ctrl-C."""

from __future__ import annotations

import logging
import os
import signal
import socket

import uvicorn

from stackpick.errors import StackpickError, UsageError
from stackpick.web import catalog
from stackpick.web.app import create_app
from stackpick.web.observability import configure_logging
from stackpick.web.options import ServeOptions

LOG = logging.getLogger("stackpick.web")


def run(options: ServeOptions) -> int:
    """Serve until stopped; exit 0 after a graceful stop (in-flight requests finished)."""
    if options.workers < 1 or options.max_renders < 1 or options.render_timeout <= 0:
        raise UsageError("--workers and --max-renders must be at least 1, --render-timeout above 0")
    teams = catalog.load(options.templates)  # refused here, before listening, if one would run code
    listener = _listen(options.host, options.port)
    configure_logging(os.environ.get("LOG_LEVEL", "INFO"))
    app = create_app(options, teams)
    config = uvicorn.Config(app, host=options.host, port=options.port, log_config=None, access_log=False,
                            proxy_headers=False, server_header=False, timeout_graceful_shutdown=8,
                            timeout_keep_alive=75, lifespan="on")
    server = uvicorn.Server(config)
    # uvicorn installs its own SIGINT/SIGTERM handlers for a graceful stop, and re-raises the signal
    # afterwards with the handlers it found: ignore them, so a graceful stop exits 0 rather than 130.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    LOG.info("starting", extra={"url": f"http://{options.host}:{options.port}", "workers": options.workers,
                                "max_renders": options.max_renders, "templates": [t.name for t in teams]})
    try:
        server.run(sockets=[listener])
    except SystemExit as exc:  # uvicorn's own start-up failure exit (3) is not ours to reuse
        raise StackpickError(f"the server stopped while starting (uvicorn exit {exc.code}); see the log above") \
            from exc
    finally:
        listener.close()
    return 0


def _listen(host: str, port: int) -> socket.socket:
    """Bind the listening socket here, so a busy port is one clear line and exit 1."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
        listener = socket.socket(family, kind, proto)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
    except OSError as exc:
        raise StackpickError(f"cannot listen on {host}:{port}: {exc.strerror or exc}; "
                             "pick another --host or --port") from exc
    return listener
