"""Reading report files: encodings, .docx, boilerplate and metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.ingest.documents import make_document, noise_spans
from retrieval.ingest.loader import discover, read_text
from retrieval.ingest.process import process_file
from retrieval.ingest.result import FileResult
from retrieval.types import Skipped
from tests.conftest import SEEDS

PARAMS = {"max_chunk_chars": 400, "k1": 1.5, "b": 0.75, "epsilon": 0.25, "max_file_mb": 256, "max_docx_xml_mb": 64}
REPORT = (
    "某某县教育局2023年工作总结\n"
    "一、基本情况\n"
    "全县现有中小学校42所，在校学生18650人。\n"
    "二、主要工作\n"
    "（一）推进控辍保学\n"
    "1.落实责任。全县义务教育巩固率达到99.2%；辍学学生全部劝返。\n"
)


def _one(folder: Path) -> FileResult | Skipped:
    files, skipped = discover(folder)
    assert not skipped and len(files) == 1
    return process_file(files[0], PARAMS)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gbk", "gb18030"])
def test_encodings_decode_to_the_same_text(tmp_path: Path, encoding: str):
    (tmp_path / "report.txt").write_bytes(REPORT.replace("\n", "\r\n").encode(encoding))
    result = _one(tmp_path)
    assert isinstance(result, FileResult)
    assert result.text.replace("\r\n", "\n") == REPORT
    assert "\r\n" in result.text  # line endings untouched
    assert result.title == "某某县教育局2023年工作总结"


def test_docx_paragraphs_are_read(tmp_path: Path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for line in REPORT.splitlines():
        document.add_paragraph(line)
    document.save(tmp_path / "report.docx")
    result = _one(tmp_path)
    assert isinstance(result, FileResult)
    assert "全县现有中小学校42所" in result.text
    assert result.places == ["某某县"]


@pytest.mark.parametrize(
    "data, why",
    [
        (b"", "空文件"),
        (b"\x00\x01\x02\x03" * 100, "二进制"),
        (b"   \n\n  ", "没有可读的文字"),
    ],
)
def test_unreadable_files_are_skipped_with_a_reason(tmp_path: Path, data: bytes, why: str):
    (tmp_path / "bad.txt").write_bytes(data)
    (tmp_path / "good.txt").write_text(REPORT, encoding="utf-8")
    files, _ = discover(tmp_path)
    results = {f.rel: process_file(f, PARAMS) for f in files}
    assert isinstance(results["good.txt"], FileResult)
    bad = results["bad.txt"]
    assert isinstance(bad, Skipped) and why in bad.reason and bad.path == "bad.txt"


def test_boilerplate_is_marked_but_kept_in_the_text():
    text = (SEEDS / "2024_XX县教育体育局_工作总结和2025年工作计划.txt").read_text(encoding="utf-8")
    doc = make_document("x", "x.txt", text)
    spans = noise_spans(text, doc.title)
    noisy = [text[a:b] for a, b in spans]
    assert any("如若转载" in n for n in noisy)
    assert any(n.startswith("本文内容由互联网用户") for n in noisy)
    assert doc.title in noisy  # the repeated title line
    assert text.count(doc.title) == 2  # the original text is untouched


def test_boilerplate_never_reaches_the_index():
    files, _ = discover(SEEDS)
    for f in files:
        result = process_file(f, PARAMS)
        assert isinstance(result, FileResult)
        words = {w for chunk in result.tokens for sent in chunk for w in sent}
        assert not {"bookmark", "goback", "https", "com", "如若", "转载"} & words, f.rel
        sentences = [result.text[s:e] for c in result.chunks for s, e in c[6]]
        assert not any(s.startswith("[bookmark") or "发布时间" in s for s in sentences)


@pytest.mark.parametrize(
    "name, place, years",
    [
        ("2024_古丈县教体局_工作总结及2025年工作计划.txt", "古丈县", (2024, 2025)),
        ("2023_长葛市教体局_重点工作总结及2024年重点工作谋划.txt", "长葛市", (2023, 2024)),
        ("2021_溆浦县教育局_教育工作总结.txt", "溆浦县", (2021,)),
        ("2019_怀化市教育局_工作总结与2020年工作计划.txt", "怀化市", (2019, 2020)),
    ],
)
def test_metadata_of_the_seed_reports(name: str, place: str, years: tuple[int, ...]):
    text = (SEEDS / name).read_text(encoding="utf-8")
    doc = make_document(name, name, text)
    assert doc.places[0] == place
    assert doc.years == years
    assert place in doc.issuer


def test_read_text_reports_oversized_files(tmp_path: Path):
    (tmp_path / "big.txt").write_text("教育" * 1000, encoding="utf-8")
    files, _ = discover(tmp_path)
    result = process_file(files[0], {**PARAMS, "max_file_mb": 0})
    assert isinstance(result, Skipped) and "过大" in result.reason
    text, digest = read_text(files[0], 2**20, 2**20)
    assert text.startswith("教育") and len(digest) == 64


def test_a_title_printed_over_two_lines_is_one_title():
    text = "2025年和田地区国民经济和社会发展\n统计公报\n\n和田地区统计局\n2026年3月27日\n2025年，全地区生产总值增长6.1%。\n"
    assert make_document("h", "h.docx", text).title == "2025年和田地区国民经济和社会发展统计公报"
    # A title complete on its line keeps the issuer line out; so does a sentence after it.
    issued = "2025年西安市国民经济和社会发展统计公报\n西安市统计局\n"
    assert make_document("x", "x.docx", issued).title == "2025年西安市国民经济和社会发展统计公报"
    opening = "古丈县教体局\n2024年，全县教育工作取得新成效，完成工作报告。\n"
    assert make_document("g", "g.txt", opening).title == "古丈县教体局"


def test_headings_indented_with_typographic_spaces_are_headings(tmp_path: Path):
    """Em and en spaces (U+2003, U+2002) indenting a .docx's paragraphs read as plain spaces, one
    character for one: the outline is found and the offsets hold."""
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for line in REPORT.splitlines():
        document.add_paragraph(line if line.endswith("总结") else "\u2003\u2003" + line.replace("，", "，\u2002"))
    document.save(tmp_path / "report.docx")
    result = _one(tmp_path)
    assert isinstance(result, FileResult)
    assert "\u2003" not in result.text and "\u2002" not in result.text
    assert "  一、基本情况\n" in result.text
    sections = {s.split(" › ")[0] for s in result.sections}
    assert sections == {"一、基本情况", "二、主要工作"}


def test_docx_spaced_lone_characters_are_closed_up(tmp_path: Path):
    """A .docx made from a justified PDF spaces out single characters (合 法 性 审 查); they are
    closed up as in PDFs, and spaces between words are kept."""
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for line in REPORT.splitlines():
        document.add_paragraph(line)
    document.add_paragraph("加强对重大行政决策的合 法 性 审 查 ，全年出具法律审查意见34份。")
    document.add_paragraph("银铃心向党 浓情满重阳主题活动覆盖全县，参与老人3200人次。")
    document.save(tmp_path / "report.docx")
    result = _one(tmp_path)
    assert isinstance(result, FileResult)
    assert "加强对重大行政决策的合法性审查" in result.text and "合 法" not in result.text
    assert "银铃心向党 浓情满重阳主题活动" in result.text
