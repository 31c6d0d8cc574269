"""The WSGI entry point the server loads (`<package>.wsgi:app`)."""

import sys

from . import ConfigError, create_app

try:
    app = create_app()
except ConfigError as exc:
    # A missing setting is an operator's mistake, not a bug: one line on stderr and a non-zero
    # exit say more than a traceback. serve.py loads the app before starting any worker, so
    # this stops the server.
    sys.exit(f"error: {exc}")
