"""The WSGI entry point gunicorn loads (`<package>.wsgi:app`)."""

import sys

from . import ConfigError, create_app

try:
    app = create_app()
except ConfigError as exc:
    # A missing setting is an operator's mistake, not a bug: one line on stderr and a non-zero
    # exit say more than a traceback. gunicorn.conf.py preloads the app, so this stops the server.
    sys.exit(f"error: {exc}")
