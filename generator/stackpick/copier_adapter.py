"""The one boundary with Copier: every Copier call goes through here, and its errors become ours.

Copier costs about half a second to import, so each function imports it when called; commands
that do not render (`--help`, `rules`, `recommend`) never pay for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stackpick.errors import RenderError, UnsafeTemplateError, UpdateError, first_line


def copy(src: str, dst: Path, data: Mapping[str, Any], *, vcs_ref: str | None, trust: bool,
         defaults: bool) -> None:
    """Render the template SRC at VCS_REF into DST with DATA as answers."""
    from copier import run_copy
    from copier.errors import CopierError
    from copier.errors import UnsafeTemplateError as CopierUnsafe
    from jinja2 import TemplateError

    try:
        run_copy(src, dst, data=dict(data), defaults=defaults, unsafe=trust, quiet=True, vcs_ref=vcs_ref)
    except CopierUnsafe as exc:
        raise UnsafeTemplateError(src) from exc
    except (CopierError, TemplateError, ValueError, OSError) as exc:
        raise RenderError(f"rendering {src} failed: {first_line(exc)}") from exc


def update(path: Path, src: str, data: Mapping[str, Any], target: str, *, trust: bool) -> None:
    """Three-way merge of template version TARGET into the project at PATH (conflicts inline)."""
    from copier import run_update
    from copier.errors import CopierError
    from copier.errors import UnsafeTemplateError as CopierUnsafe
    from jinja2 import TemplateError
    from plumbum import ProcessExecutionError  # a git step inside Copier failed

    try:
        run_update(path, data=dict(data), defaults=True, overwrite=True, conflict="inline",
                   vcs_ref=target, skip_answered=True, quiet=True, unsafe=trust)
    except CopierUnsafe as exc:
        raise UnsafeTemplateError(src) from exc
    except (CopierError, TemplateError, ValueError, OSError) as exc:
        raise UpdateError(f"updating {path} from {src} to {target} failed: {first_line(exc)}") from exc
    except ProcessExecutionError as exc:
        detail = (str(getattr(exc, "stderr", "")).strip().splitlines() or ["git failed"])[-1]
        raise UpdateError(f"updating {path} to template version {target} failed: {detail}") from exc


def inspect_template(src: str, vcs_ref: str | None) -> tuple[dict[str, Any], bool]:
    """A template's questions, and whether it runs code (tasks, migrations, Jinja extensions)."""
    from copier._template import Template  # Copier's own reading of copier.yml, before any prompt
    from copier.errors import CopierError
    from jinja2 import TemplateError
    from plumbum import ProcessExecutionError  # a git step of the clone failed

    template = Template(url=src, ref=vcs_ref)
    try:
        questions = dict(template.questions_data)
        runs_code = bool(template.jinja_extensions or template.tasks
                         or template.config_data.get("migrations"))
    except (CopierError, ProcessExecutionError, TemplateError, ValueError, OSError) as exc:
        raise RenderError(f"cannot read the template at {src}: {first_line(exc)}") from exc
    finally:
        template._cleanup()
    return questions, runs_code


def latest_tag(src: str, answers_file: str) -> str:
    """The newest version tag of the git template SRC, chosen as Copier chooses it."""
    from copier._vcs import get_latest_tag, get_repo  # deferred; Copier's own tag choice
    from plumbum import ProcessExecutionError

    url = get_repo(src)
    if url is None:
        raise UpdateError(f"the template {src} recorded in {answers_file} is not a git "
                          "repository this machine can reach")
    try:
        return str(get_latest_tag(url))
    except (ProcessExecutionError, OSError) as exc:  # the repository is unreachable
        raise UpdateError(f"cannot list the versions of {src}: {exc.__class__.__name__}") from exc
