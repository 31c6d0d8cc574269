"""Production settings: HTTPS only, secure cookies, and a SECRET_KEY that must be supplied.

Check them with `make deploy-check` (manage.py check --deploy --fail-level WARNING).
"""

import os
import sys

from config.env import env_bool, env_int
from config.settings.base import *  # noqa: F403

SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY:
    # One clear line and exit status 1, instead of a traceback from deep inside Django.
    sys.exit(
        "error: SECRET_KEY is not set: export a long random value (make install writes one to .env)"
    )

# The proxy or load balancer in front terminates TLS and says so in X-Forwarded-Proto. Django
# trusts that header, so the proxy must overwrite it (nginx, ingress controllers and cloud load
# balancers do); a client could only use it to downgrade its own connection.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
# Probes speak plain HTTP; the health middleware answers them first, this is a second guard.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# HSTS starts at one hour so a mistake expires quickly; raise SECURE_HSTS_SECONDS to 31536000
# once HTTPS works everywhere. Subdomains of this host are covered: they should be HTTPS too.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading asks browser vendors to hard-code HTTPS for the whole domain, which is slow to undo:
# off until the owner opts in.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
# Both HSTS choices above are deliberate, so the deploy check's reminders about them are noise.
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
