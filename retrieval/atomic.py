"""Writing a file all at once: under a temporary name in the same folder, flushed to disk, then
renamed into place, so that a reader (or the next start after a crash) sees the old file or the
new one, never half of one. Used by every cache file the index writes."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path


def temporary_name(path: Path) -> Path:
    """A fresh hidden name beside ``path`` (``.name.<hex>.tmp``); a killed writer's leftovers
    match ``.*.tmp`` and are cleaned up by the cache that owns the folder."""
    return path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")


@contextlib.contextmanager
def replacing(path: Path, *, durable: bool = True) -> Iterator[Path]:
    """A temporary name to write ``path`` under; when the block ends, flushed to disk (unless
    ``durable`` is False: a cache entry that is checked when read back) and renamed into place;
    removed if the block or the rename fails."""
    tmp = temporary_name(path)
    try:
        yield tmp
        if durable:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_atomic(path: Path, data: bytes | str, *, durable: bool = True) -> None:
    """``data`` (text as UTF-8) as the whole of ``path``, through :func:`replacing`."""
    with replacing(path, durable=durable) as tmp:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)
