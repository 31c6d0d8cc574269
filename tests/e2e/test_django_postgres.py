"""A generated Django project on a real PostgreSQL server, the way it runs with several replicas.

The test starts its own PostgreSQL (Debian's server binaries, run as an unprivileged user, data
and socket in a temporary directory), applies the migrations once with the command the
Kubernetes Job runs, then starts two production servers on it: an admin login made through
one is valid on the other, because sessions live in the shared database.
"""

from __future__ import annotations

import contextlib
import glob
import html.parser
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

from stackpick.cli import main
from tests.support import VENV_BIN, free_port, run, serve, terminate_server

pytestmark = pytest.mark.e2e

PASSWORD = "e2e-password-9f3c2a"


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class Postgres:
    port: int
    url: str


def _as_server_user(cmd: list[str], user: pwd.struct_passwd | None) -> list[str]:
    """`cmd` run as USER when we are root (initdb refuses root), else as ourselves."""
    if user is None:
        return cmd
    return ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups", *cmd]


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL server on 127.0.0.1 for this module, always stopped afterwards."""
    bindir = _postgres_bin()
    if bindir is None:
        pytest.fail("PostgreSQL server binaries not found: apt-get install postgresql (.ci/run does)")
    user = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
    # Not under pytest's tmp dir: its parents are private to root, and the server runs as `user`.
    root = Path(tempfile.mkdtemp(prefix="stackpick-pg-"))
    data, socket_dir, pwfile = root / "data", root / "run", root / "pwfile"
    socket_dir.mkdir()
    pwfile.write_text(PASSWORD + "\n")
    if user is not None:
        for path in (root, socket_dir, pwfile):
            os.chown(path, user.pw_uid, user.pw_gid)
    port = free_port()
    log = root / "server.log"
    try:
        subprocess.run(_as_server_user([str(bindir / "initdb"), "-D", str(data), "-U", "app", "--pwfile", str(pwfile),
                                        "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8"], user),
                       check=True, capture_output=True, timeout=120)
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {socket_dir} -c fsync=off"
        subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options,
                                        "-w", "-t", "60", "start"], user),
                       check=True, capture_output=True, timeout=90)
        subprocess.run(_as_server_user([str(bindir / "createdb"), "-h", str(socket_dir), "-p", str(port),
                                        "-U", "app", "app"], user), check=True, capture_output=True, timeout=60)
        yield Postgres(port, f"postgres://app:{PASSWORD}@127.0.0.1:{port}/app")
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "30",
                                            "stop"], user), capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("pg") / "shop"
    assert main(["new", str(dest), "--defaults", "--no-git", "--stack", "django", "--data", "project_name=Shop",
                 "--data", "app_type=ecommerce", "--data", "needs_admin=true"]) == 0
    run(["make", "install"], cwd=dest, env={"PATH": os.pathsep.join([str(VENV_BIN), os.environ["PATH"]])})
    return dest


def production_env(project: Path, postgres: Postgres, **extra: str) -> dict[str, str]:
    """The image's environment (Dockerfile ENV) plus what a Deployment and its Secret give it."""
    dockerfile = DockerfileParser(path=str(project / "Dockerfile"))
    return {**dockerfile.envs, "PATH": os.pathsep.join([str(project / ".venv" / "bin"), os.environ["PATH"]]),
            "SECRET_KEY": "e2e-" + "k" * 60, "DATABASE_URL": postgres.url, "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false", "WEB_CONCURRENCY": "1", **extra}


class _CsrfField(html.parser.HTMLParser):
    token = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        fields = dict(attrs)
        if tag == "input" and fields.get("name") == "csrfmiddlewaretoken":
            self.token = fields.get("value") or ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def request(url: str, cookies: dict[str, str], data: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
    """One request with COOKIES sent by hand (the session cookie is Secure; this is plain HTTP).

    Returns the status, the body and the cookies the answer sets.
    """
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, data=body, headers=headers), timeout=30) as answer:
            status, text, raw = answer.status, answer.read().decode(), answer.headers.get_all("Set-Cookie") or []
    except urllib.error.HTTPError as error:
        status, text, raw = error.code, error.read().decode(), error.headers.get_all("Set-Cookie") or []
    jar: SimpleCookie = SimpleCookie()
    for line in raw:
        jar.load(line)
    return status, text, {name: morsel.value for name, morsel in jar.items()}


def test_two_servers_share_one_database(project: Path, postgres: Postgres) -> None:
    env = production_env(project, postgres)
    # What the image build does (its manifest names the admin's static files).
    run(["python", "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=project, env=env)
    # Once per release, as the Kubernetes Job does: `python manage.py migrate --noinput`.
    migrated = run(["python", "manage.py", "migrate", "--noinput"], cwd=project, env=env)
    assert "Applying shop.0001_initial... OK" in migrated.stdout
    run(["python", "manage.py", "createsuperuser", "--noinput"], cwd=project,
        env={**env, "DJANGO_SUPERUSER_USERNAME": "admin", "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
             "DJANGO_SUPERUSER_EMAIL": "admin@example.com"})

    # Two replicas, each started the way the image starts it.
    cmd = json.loads(DockerfileParser(path=str(project / "Dockerfile")).cmd)
    with contextlib.ExitStack() as stack:
        ports = free_port(), free_port()
        servers = [stack.enter_context(serve(cmd, project, {**env, "HOST": "127.0.0.1", "PORT": str(port)}, port))
                   for port in ports]
        one, two = (server.base for server in servers)
        for base in (one, two):
            assert request(base + "/readyz", {})[0] == 200

        # Log in through the first server...
        status, page, cookies = request(one + "/admin/login/", {})
        assert status == 200
        form = _CsrfField()
        form.feed(page)
        status, _, set_cookies = request(one + "/admin/login/?next=/admin/", cookies, {
            "csrfmiddlewaretoken": form.token, "username": "admin", "password": PASSWORD, "next": "/admin/"})
        assert status == 302, "the login was refused"
        session = {"sessionid": set_cookies["sessionid"]}

        # ...and the second one knows the session: it lives in PostgreSQL, not in a process.
        status, page, _ = request(two + "/admin/", session)
        assert status == 200 and "Site administration" in page
        assert request(two + "/admin/", {})[0] == 302  # without the cookie: to the login page
        assert request(one + "/admin/shop/user/", session)[0] == 200

        for server in servers:
            elapsed = terminate_server(server)
            assert server.process.returncode == 0, server.output()
            assert elapsed < 10