"""Cache files are written all at once (retrieval/atomic.py): the old file or the new one, never
half, and no temporary file left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.atomic import replacing, temporary_name, write_atomic


def test_text_and_bytes_replace_the_whole_file(tmp_path: Path):
    path = tmp_path / "CURRENT"
    write_atomic(path, "gen-1\n")
    write_atomic(path, "gen-2\n")
    assert path.read_text(encoding="utf-8") == "gen-2\n"
    write_atomic(path, b"\x00\x01", durable=False)
    assert path.read_bytes() == b"\x00\x01"
    assert [p.name for p in tmp_path.iterdir()] == ["CURRENT"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path):
    path = tmp_path / "rows.npy"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), replacing(path) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("killed")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["rows.npy"]


def test_the_temporary_name_is_hidden_beside_the_file_and_fresh():
    path = Path("/cache/entries/abc.tok")
    first, second = temporary_name(path), temporary_name(path)
    assert first.parent == path.parent and first != second
    assert first.name.startswith(".abc.tok.") and first.match(".*.tmp")
