"""Archives equal what `stackpick new --no-git` writes, under one top folder, with safe entry names."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from urllib.parse import urlencode

import pytest

from stackpick.cli import main
from stackpick.web.archive import UnsafeEntryError, entry_name
from tests.web.client import WebServer, call, post_form, tree, unpack

ANSWERS = "orders/.copier-answers.yml"

CASES = {
    "express": {"project_name": "Orders", "stack": "express", "app_type": "realtime", "concurrency": "high"},
    "flask": {"project_name": "Orders", "stack": "flask", "app_type": "rest_api", "cpu_heavy": "true"},
    "django": {"project_name": "Orders", "stack": "django", "app_type": "cms", "needs_admin": "true",
               "description": "Our shop's back office", "author_name": "Shop team"},
}


def _cli_tree(answers: dict[str, str], dest: Path) -> dict[str, tuple[bytes, int]]:
    assert main(["new", str(dest), "--defaults", "--no-git", *(f"--data={k}={v}" for k, v in answers.items())]) == 0
    return {f"orders/{name}": value for name, value in tree(dest).items()}


def _safe(names: list[str], top: str) -> None:
    for name in names:
        path = PurePosixPath(name)
        assert not path.is_absolute() and ".." not in path.parts and path.parts[0] == top, name


@pytest.mark.parametrize("stack", list(CASES))
def test_zip_equals_the_cli_project(web: WebServer, stack: str, tmp_path: Path) -> None:
    answers = CASES[stack]
    resp = call(web.base + "/starter.zip?" + urlencode(answers))
    assert resp.status == 200, resp.body
    assert resp.headers["content-type"] == "application/zip"
    assert resp.headers["content-disposition"] == 'attachment; filename="orders.zip"'
    archived = unpack(resp.body, "zip")
    _safe(list(archived), "orders")
    expected = _cli_tree(answers, tmp_path / "orders")
    assert ANSWERS in archived  # `stackpick update` needs it; its recorded paths may differ by machine
    assert sorted(archived) == sorted(expected)
    for name in expected:
        if name != ANSWERS:
            assert archived[name] == expected[name], name


def test_tar_gz_by_form_post_equals_the_zip_and_the_preview(web: WebServer) -> None:
    answers = CASES["flask"]
    tgz = post_form(web.base + "/starter.tar.gz", answers)
    assert tgz.status == 200 and tgz.headers["content-type"] == "application/gzip"
    assert tgz.headers["content-disposition"] == 'attachment; filename="orders.tar.gz"'
    from_tar = unpack(tgz.body, "tar.gz")
    from_zip = unpack(call(web.base + "/starter.zip?" + urlencode(answers)).body, "zip")
    assert from_tar == from_zip
    preview = post_form(web.base + "/api/tree", answers)
    assert preview.status == 200
    listing = preview.json()
    assert isinstance(listing, dict) and listing["root"] == "orders"
    assert [f"orders/{f['path']}" for f in listing["files"]] == sorted(from_zip)
    assert all(f["size"] == len(from_zip[f"orders/{f['path']}"][0]) for f in listing["files"])
    assert call(web.base + "/starter.tgz?" + urlencode(answers)).status == 200  # Spring's spelling too


def test_hostile_but_valid_slug_stays_one_folder(web: WebServer) -> None:
    resp = call(web.base + "/starter.zip?" + urlencode({"project_name": "Dots", "stack": "express",
                                                         "project_slug": "a..b"}))
    assert resp.status == 200, resp.body
    names = list(unpack(resp.body, "zip"))
    _safe(names, "a..b")
    assert "a..b/package.json" in names


@pytest.mark.parametrize("relative", ["../x", "a/../../x", "/etc/passwd", "a\\..\\b", "./x", ""])
def test_unsafe_entry_names_are_refused(relative: str) -> None:
    with pytest.raises(UnsafeEntryError):
        entry_name("top", relative)
    with pytest.raises(UnsafeEntryError):
        entry_name(relative or "..", "file")
