"""The servers the generated projects are measured against, built in a scratch folder.

The naive baselines are the articles' hello worlds, run the way the articles run them: Flask's
`app.run()` (debug off), Django's `startproject` plus one view under `runserver` (its defaults:
DEBUG on; `--noreload` only so the benchmark stops one process), and a single-process Express 5
`app.listen`. express-generator's default app is a reference, not a baseline. The only change to
any of them is the address: a free port on 127.0.0.1, so nothing listens beyond loopback.
Flask and Django come from the generated project's own .venv: the same versions on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from procs import BenchError, run

FLASK_APP = '''\
import os

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello, World!"


if __name__ == "__main__":
    app.run(port=int(os.environ["PORT"]))  # the articles' app.run(), on a free port
'''

DJANGO_VIEW = '''

# The one view of the articles' hello world.
from django.http import HttpResponse


def hello(request):
    return HttpResponse("Hello, World!")


urlpatterns.append(path("", hello))
'''

EXPRESS_APP = '''\
const express = require('express');

const app = express();

app.get('/', (req, res) => {
  res.send('Hello World!');
});

app.listen(Number(process.env.PORT), '127.0.0.1', () => {
  console.log(`listening on ${process.env.PORT}`);
});
'''

NPM = ["npm", "--no-audit", "--no-fund", "--loglevel=error"]


@dataclass(frozen=True)
class Server:
    """A server to load: how to start it, where it answers, and what it is compared with."""

    name: str
    stack: str
    role: str  # "generated", "naive" (the baseline of its stack) or "reference" (no verdict)
    cmd: list[str]
    cwd: Path
    ready_path: str = "/"
    env: dict[str, str] = field(default_factory=dict)


def flask_naive(root: Path, venv: Path) -> Server:
    """The Flask hello world under its development server, threaded as Flask runs it by default."""
    root.mkdir(parents=True)
    (root / "app.py").write_text(FLASK_APP)
    return Server("flask: naive app.run()", "flask", "naive", [str(venv / "bin" / "python"), "app.py"], root)


def django_naive(root: Path, venv: Path) -> Server:
    """`django-admin startproject` plus one view, under `runserver --noreload` (DEBUG as left)."""
    root.mkdir(parents=True)
    python = str(venv / "bin" / "python")
    run([python, "-m", "django", "startproject", "hello", str(root)])
    urls = root / "hello" / "urls.py"
    urls.write_text(urls.read_text() + DJANGO_VIEW)
    return Server("django: naive runserver", "django", "naive",
                  [python, "manage.py", "runserver", "--noreload", "127.0.0.1:{port}"], root)


def express_naive(root: Path) -> Server:
    """A single-process Express 5 hello world with `app.listen`."""
    root.mkdir(parents=True)
    (root / "package.json").write_text('{"private": true, "name": "hello"}\n')
    run([*NPM, "install", "express@5"], cwd=root)
    (root / "index.js").write_text(EXPRESS_APP)
    return Server("express: naive app.listen", "express", "naive", ["node", "index.js"], root)


def express_generator(root: Path) -> Server:
    """express-generator's default app (`--no-view`), started as its README says: node ./bin/www."""
    root.mkdir(parents=True)
    run(["npx", "--yes", "express-generator@4", "--no-view", "app"], cwd=root)
    app = root / "app"
    run([*NPM, "install"], cwd=app)
    www = app / "bin" / "www"
    source = www.read_text()
    if "server.listen(port);" not in source:
        raise BenchError(f"{www} no longer has `server.listen(port);`; update bench/baselines.py")
    www.write_text(source.replace("server.listen(port);", "server.listen(port, '127.0.0.1');"))
    return Server("express: express-generator app", "express", "reference", ["node", "./bin/www"], app)

