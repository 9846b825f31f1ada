"""Legacy Word (.doc) through antiword's DocBook output: paragraphs as lines, each table row one
line with whole cells; a clear message per file without antiword; the real .doc of
../shared/datasets/real_reports when it is there."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from retrieval.ingest.formats import UnreadableFile, doc
from retrieval.ingest.formats.doc import parse_docbook
from retrieval.ingest.loader import discover
from retrieval.ingest.process import process_file
from retrieval.ingest.result import FileResult
from retrieval.types import Skipped
from tests.conftest import SHARED_DATASETS

PARAMS = {"max_chunk_chars": 400, "max_extract_seconds": 20.0}
REAL_DOC = SHARED_DATASETS / "real_reports" / "江西省中小学教师招聘岗位专业要求参照目录（2022年修订）.doc"
OLE2 = bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 512

DOCBOOK = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE book PUBLIC "-//OASIS//DTD DocBook XML V4.1.2//EN"
\t"http://www.oasis-open.org/docbook/xml/4.1.2/docbookx.dtd">
<book lang='zh_CN'><chapter><title/>
  <para>
招聘岗位专业要求
  </para>
  <para>

  </para>
  <para>
   <informaltable frame='none'><tgroup cols='3'><tbody>
      <row><entry>
招聘岗位
类别
       </entry><entry>
研究生专业
       </entry><entry>
本科专业
       </entry></row>
      <row><entry>
1.语文教师
       </entry><entry>
0501中国语言文学，045103学科教学(语文)
       </entry><entry>

       </entry></row>
      <row><entry>
       </entry><entry>
       </entry><entry>
       </entry></row>
   </tbody></tgroup></informaltable>
  </para>
  <para>
说明：本目录仅适用于全省中小学及特岗教师招聘，考生应参照此目录进行报考（English text）。
  </para>
</chapter></book>
"""


def test_docbook_paragraphs_and_table_rows():
    lines, tables = parse_docbook(DOCBOOK)
    assert lines == [
        "招聘岗位专业要求",
        "1.语文教师：研究生专业为0501中国语言文学，045103学科教学(语文)。",
        "说明：本目录仅适用于全省中小学及特岗教师招聘，考生应参照此目录进行报考（English text）。",
    ]
    assert [(t.caption, len(t.rows)) for t in tables] == [("招聘岗位专业要求", 1)]


def test_a_table_that_is_no_data_table_keeps_its_cells_on_one_line():
    one_row = DOCBOOK.replace("<row><entry>\n1.语文教师", "<row><entry>\n", 1).replace(
        "0501中国语言文学，045103学科教学(语文)", ""
    )
    lines, tables = parse_docbook(one_row)
    assert "招聘岗位类别\t研究生专业\t本科专业" in lines and tables == []


def test_docbook_that_is_not_xml_is_refused():
    with pytest.raises(UnreadableFile, match="antiword"):
        parse_docbook("<book><para>未闭合")


def test_without_antiword_the_file_is_skipped_naming_what_to_install(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(doc.shutil, "which", lambda name: None)
    (tmp_path / "目录.doc").write_bytes(OLE2)
    files, _skipped = discover(tmp_path)
    result = process_file(files[0], PARAMS)
    assert isinstance(result, Skipped)
    assert "apt-get install antiword" in result.reason and "另存为 .docx" in result.reason


def test_antiword_output_becomes_the_text(tmp_path: Path, monkeypatch):
    """The subprocess path, with a stand-in antiword that prints the DocBook above."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (tmp_path / "out.xml").write_text(DOCBOOK, encoding="utf-8")
    script = bin_dir / "antiword"
    script.write_text(f"#!/bin/sh\ncat '{tmp_path / 'out.xml'}'\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "目录.doc").write_bytes(OLE2)
    files, _ = discover(corpus)
    result = process_file(files[0], PARAMS)
    assert isinstance(result, FileResult) and result.format == "doc"
    assert "1.语文教师：研究生专业为0501中国语言文学" in result.text
    assert result.notes["tables"] == 1 and result.notes["table_rows"] == 1
    # The row is cited by its table (the caption above it) and row.
    [table] = result.tables
    assert table[0] == "招聘岗位专业要求" and len(table[3]) == 1


@pytest.mark.skipif(not REAL_DOC.exists(), reason="../shared/datasets/real_reports is not beside the repository")
@pytest.mark.skipif(
    shutil.which("antiword") is None, reason="antiword is not installed (make test installs it as root)"
)
def test_the_real_doc_is_read_with_whole_cells(tmp_path: Path):
    shutil.copy(REAL_DOC, tmp_path / REAL_DOC.name)
    files, _ = discover(tmp_path)
    result = process_file(files[0], {**PARAMS, "max_file_mb": 32})
    assert isinstance(result, FileResult), result
    lines = result.text.splitlines()
    assert lines[0] == "江西省中小学教师招聘岗位专业要求参照目录"
    row = next(line for line in lines if line.startswith("2.数学教师："))
    assert "研究生专业为0701数学" in row and "本科专业为" in row and "专科专业为" in row
    assert result.notes["tables"] >= 1 and result.notes["table_rows"] >= 18
