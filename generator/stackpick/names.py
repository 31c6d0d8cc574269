"""Project names and the package slugs derived from them, checked per stack."""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata

from stackpick.errors import InvalidAnswerError

MAX_NAME = 64
# Characters a shell, a path or a terminal would read as more than text.
_FORBIDDEN = re.compile(r"[/\\:*?\"'<>|$`!;&(){}\[\]#~%^=,@+]")

# Names that would shadow what the generated projects import or run.
_SHADOWED_PYTHON = frozenset({
    "flask", "django", "gunicorn", "werkzeug", "jinja2", "itsdangerous", "click", "markupsafe",
    "whitenoise", "channels", "daphne", "uvicorn", "asgiref", "sqlparse", "pytest", "ruff",
    "simple_websocket", "flask_sock", "config", "test", "tests", "manage", "app", "wsgi", "asgi",
    "data", "docs", "deploy", "scripts", "staticfiles", "node_modules",
})
_SHADOWED_NPM = frozenset({
    "express", "helmet", "ws", "supertest", "eslint", "globals", "node_modules", "favicon.ico",
    "node", "npm",
})
_NODE_BUILTINS = frozenset({
    "assert", "buffer", "child_process", "cluster", "console", "constants", "crypto", "dgram",
    "dns", "domain", "events", "fs", "http", "http2", "https", "inspector", "module", "net", "os",
    "path", "perf_hooks", "process", "punycode", "querystring", "readline", "repl", "stream",
    "string_decoder", "sys", "timers", "tls", "trace_events", "tty", "url", "util", "v8", "vm",
    "wasi", "worker_threads", "zlib", "test",
})


def check_project_name(name: str) -> str:
    """Return the trimmed name, or raise InvalidAnswerError saying what is wrong with it."""
    stripped = name.strip()
    if not stripped:
        raise InvalidAnswerError("project_name", "must not be empty")
    if len(stripped) > MAX_NAME:
        raise InvalidAnswerError("project_name", f"at most {MAX_NAME} characters (got {len(stripped)})")
    if any(unicodedata.category(ch).startswith("C") or unicodedata.category(ch) in ("Zl", "Zp")
           for ch in stripped):
        raise InvalidAnswerError("project_name", "control characters and line breaks are not allowed")
    if ".." in stripped or stripped.startswith("."):
        raise InvalidAnswerError("project_name", "must not start with '.' or contain '..'")
    bad = _FORBIDDEN.search(stripped)
    if bad:
        raise InvalidAnswerError(
            "project_name", f"{bad.group()!r} is not allowed; use letters, digits, spaces, '-', '_' or '.'")
    return stripped


def slugify(name: str, stack: str) -> str:
    """Derive the package name: ASCII, lowercase, '-' for npm and '_' for Python."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    sep = "-" if stack == "express" else "_"
    slug = re.sub(r"[^a-z0-9]+", sep, ascii_name.lower()).strip(sep)
    if stack != "express":
        slug = slug.lstrip("0123456789_")
    return slug


def check_slug(slug: str, stack: str, *, at_prompt: bool = False) -> str:
    """Return the slug if the stack's package manager accepts it, else raise InvalidAnswerError.

    AT_PROMPT: the message is for a person typing the slug, not for a script passing --data.
    """
    if not slug:
        example = "my-service" if stack == "express" else "my_service"
        raise InvalidAnswerError(
            "project_slug",
            f"type a package name in lowercase ASCII, e.g. {example}" if at_prompt else
            "the name has no ASCII letters to make a package name from; pass --data project_slug=NAME")
    if stack == "express":
        if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,213}", slug):
            raise InvalidAnswerError(
                "project_slug", f"{slug!r} is not a valid npm package name "
                "(lowercase letters, digits, '-', '.', '_'; starting with a letter or digit)")
        if slug in _NODE_BUILTINS or slug in _SHADOWED_NPM:
            raise InvalidAnswerError("project_slug", f"{slug!r} clashes with a Node.js module or dependency")
        return slug
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", slug):
        raise InvalidAnswerError(
            "project_slug", f"{slug!r} is not a valid Python package name "
            "(lowercase letters, digits and '_', starting with a letter)")
    if keyword.iskeyword(slug) or keyword.issoftkeyword(slug):
        raise InvalidAnswerError("project_slug", f"{slug!r} is a Python keyword")
    if slug in sys.stdlib_module_names or slug in _SHADOWED_PYTHON:
        raise InvalidAnswerError(
            "project_slug", f"{slug!r} would shadow a standard-library module or a dependency; pick another")
    return slug
