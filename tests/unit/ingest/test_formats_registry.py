"""The format registry: one module per format; the suffixes read, the content check and the
messages come from it, the README's format table lists every registered suffix, and a new format
is read once it is registered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from retrieval.ingest.formats import Extracted, UnreadableFile, registry
from retrieval.ingest.formats.registry import Format, for_path, formats, suffix_list, supported
from retrieval.ingest.loader import discover, format_defaults
from retrieval.ingest.process import process_file
from retrieval.ingest.result import FileResult
from retrieval.types import Skipped
from tests.conftest import ROOT

PARAMS = {"max_chunk_chars": 400, "max_file_mb": 1}


def _readme_suffixes() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("支持的格式：") :]
    table = table[: table.index("\n\n", table.index("|"))]
    return {s for row in table.splitlines()[2:] for s in re.findall(r"`(\.[a-z0-9]+)`", row.split("|")[1])}


def test_readme_table_lists_every_registered_suffix_and_no_other():
    registered = {s for f in formats() for s in f.suffixes}
    assert _readme_suffixes() == registered


def test_every_suffix_belongs_to_one_format_and_names_it_in_messages():
    assert for_path("报告.DOCX").name == "docx" and for_path("a/b.htm").name == "html"
    assert for_path("x.xlsx") is None
    assert {".txt", ".md", ".docx", ".doc", ".pdf", ".html", ".htm"} == supported()
    assert ".wps" not in supported() and for_path("a.wps").advice
    assert suffix_list().split("/") == [s for f in formats() if f.read for s in f.suffixes]
    assert all(f.limit in PARAMS or f.limit.startswith("max_") for f in formats())


@pytest.mark.parametrize(
    "name, data, why",
    [
        ("report.txt", b"%PDF-1.4\n" + b"0" * 100, "内容是 PDF 文件（扩展名是 .pdf）"),
        ("report.html", b"%PDF-1.4\n" + b"0" * 100, "扩展名是 .pdf"),
        ("report.pdf", "全县学校88所。".encode(), "扩展名是 .pdf，但内容不是 PDF 文件"),
        ("report.docx", bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 100, "而是旧版 Office 文档"),
        ("report.doc", b"PK\x03\x04" + b"\0" * 100, "扩展名是 .doc，但内容不是旧版 Word 文档，而是压缩包"),
    ],
)
def test_content_check_names_what_the_file_really_is(tmp_path: Path, name: str, data: bytes, why: str):
    (tmp_path / name).write_bytes(data)
    files, _ = discover(tmp_path)
    result = process_file(files[0], PARAMS)
    assert isinstance(result, Skipped) and why in result.reason, result


def test_a_new_format_is_one_registration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def read_csv(data: bytes, settings) -> Extracted:
        rows = [line.split(",") for line in data.decode("utf-8").splitlines()]
        return Extracted("\n".join("，".join(r) + "。" for r in rows) + "\n", "csv")

    csv = Format("csv", (".csv",), "CSV 表格", read_csv, limit="max_file_mb")
    shipped = formats()
    monkeypatch.setattr(registry, "formats", lambda: (*shipped, csv))
    (tmp_path / "学校.csv").write_text("古丈县第一中学,学生2148人\n古丈县第二中学,学生1320人\n", encoding="utf-8")
    (tmp_path / "big.csv").write_bytes(b"a,b\n" * 300_000)
    files, skipped = discover(tmp_path)
    assert sorted(f.rel for f in files) == ["big.csv", "学校.csv"] and not skipped
    good = process_file(next(f for f in files if f.rel == "学校.csv"), PARAMS)
    assert isinstance(good, FileResult) and good.format == "csv" and "学生2148人" in good.text
    big = process_file(next(f for f in files if f.rel == "big.csv"), PARAMS)
    assert isinstance(big, Skipped) and "max_file_mb" in big.reason


def test_unregistered_suffix_is_not_read(tmp_path: Path):
    (tmp_path / "a.xlsx").write_bytes(b"PK\x03\x04")
    (tmp_path / "b.txt").write_text("全县学校88所。", encoding="utf-8")
    files, skipped = discover(tmp_path)
    assert [f.rel for f in files] == ["b.txt"] and not skipped


def test_reader_errors_are_unreadable_file():
    with pytest.raises(UnreadableFile):
        for_path("a.pdf").read(
            b"%PDF-1.4 broken", {**format_defaults(), "max_pdf_pages": 5, "max_extract_seconds": 5, "file_name": "a"}
        )
