"""WSGI entry point, loaded by serve.py (Granian's WSGI interface) as config.wsgi:application."""

import os

from django.core.wsgi import get_wsgi_application

# Production unless told otherwise: a server that forgets to choose never runs with dev settings.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()
