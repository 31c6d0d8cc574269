#!/usr/bin/env python
"""Django's command-line utility (runs with the production settings unless told otherwise)."""

import os
import sys


def main() -> None:
    """Run a management command."""
    # Same default as config/wsgi.py, so `migrate` in a container touches what the server uses.
    # `make dev` and the tests choose config.settings.dev explicitly.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
