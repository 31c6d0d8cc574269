"""A rendered project as a zip or gzipped tar under one top-level folder, Spring Initializr style.

Entry names come from walking the rendered folder, never from request input, and each is checked:
relative, no `..`, no empty or `.` parts. Symbolic links are left out (a link could point anywhere
on the server); the stackpick templates render none.
"""

from __future__ import annotations

import io
import stat
import tarfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

FORMATS = {"zip": "application/zip", "tar.gz": "application/gzip"}


class UnsafeEntryError(ValueError):
    """An archive entry name that could land outside the folder it is unpacked into."""


def entry_name(top: str, relative: str) -> str:
    """`top/relative` as an archive entry name, or UnsafeEntryError."""
    name = f"{top}/{relative}"
    if name.startswith("/") or "\\" in name or any(part in ("", ".", "..") for part in name.split("/")):
        raise UnsafeEntryError(f"refusing archive entry {name!r}")
    return name


def files(root: Path) -> Iterator[tuple[str, Path]]:
    """Every regular file under ROOT, sorted, as (relative posix path, path); links are skipped."""
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        yield path.relative_to(root).as_posix(), path


def listing(root: Path) -> list[dict[str, object]]:
    """The files a project has: relative path and size, for the preview."""
    return [{"path": rel, "size": path.stat().st_size} for rel, path in files(root)]


def pack(root: Path, top: str, fmt: str) -> bytes:
    """ROOT's files under TOP/ as a zip or tar.gz, with each file's permission bits kept."""
    if fmt == "zip":
        return _zip(root, top)
    if fmt == "tar.gz":
        return _tar(root, top)
    raise ValueError(f"unknown archive format {fmt!r}")


def _zip(root: Path, top: str) -> bytes:
    buffer = io.BytesIO()
    stamp = time.localtime()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel, path in files(root):
            info = zipfile.ZipInfo(entry_name(top, rel), stamp)
            info.external_attr = (stat.S_IFREG | stat.S_IMODE(path.stat().st_mode)) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def _tar(root: Path, top: str) -> bytes:
    buffer = io.BytesIO()
    now = int(time.time())
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as archive:
        for rel, path in files(root):
            info = tarfile.TarInfo(entry_name(top, rel))
            data = path.read_bytes()
            info.size, info.mtime, info.mode = len(data), now, stat.S_IMODE(path.stat().st_mode)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
