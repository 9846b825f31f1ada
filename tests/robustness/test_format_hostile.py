"""Bad PDFs, web pages and legacy files: each skipped with a one-line Chinese reason, within
the stated time and memory, never stopping the rest; Big5 read, mojibake refused."""

from __future__ import annotations

import io
import tracemalloc
import zlib
from pathlib import Path

import pytest

from config import load_settings
from retrieval import Engine
from retrieval.ingest.loader import discover
from retrieval.ingest.process import process_file
from retrieval.ingest.result import FileResult
from retrieval.types import Skipped
from tests.conftest import SEEDS
from tests.pdfbuild import build_pdf, raw_pdf, report_pdf

pytest.importorskip("reportlab")
pytestmark = pytest.mark.timeout(120)

GOOD = "2024_古丈县教体局_工作总结及2025年工作计划.txt"
PARAMS = {
    "max_chunk_chars": 400,
    "k1": 1.5,
    "b": 0.75,
    "epsilon": 0.25,
    "max_file_mb": 256,
    "max_docx_xml_mb": 64,
    "max_pdf_pages": 50,
    "max_extract_seconds": 20.0,
    "min_likely_share": 0.6,
}


def _good_pdf() -> bytes:
    return report_pdf((SEEDS / GOOD).read_text(encoding="utf-8"), header="页眉")


def _image_only_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for _ in range(2):
        c.rect(50, 50, 400, 600, fill=1)  # what a scanned page holds: pictures, no text
        c.showPage()
    c.save()
    return buf.getvalue()


def _blank_pages(n: int) -> bytes:
    import pypdf

    writer = pypdf.PdfWriter()
    for _ in range(n):
        writer.add_blank_page(100, 100)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _run(folder: Path, name: str, data: bytes, params: dict = PARAMS) -> FileResult | Skipped:
    (folder / name).write_bytes(data)
    files, _ = discover(folder)
    return process_file(next(f for f in files if f.rel == name), params)


BAD = {
    "truncated.pdf": (lambda: _good_pdf()[: len(_good_pdf()) // 2], "损坏"),
    "garbage.pdf": (lambda: b"%PDF-1.7\n" + bytes(range(256)) * 40, "损坏"),
    "not-a-pdf.pdf": (lambda: b"just some text, not a PDF at all", "不是 PDF"),
    "password.pdf": (lambda: build_pdf(["机密报告正文。"], password="secret"), "密码"),
    "scan.pdf": (_image_only_pdf, "扫描件"),
    "stream-bomb.pdf": (lambda: raw_pdf(zlib.compress(b"0 0 m " * (30 * 2**20), 9), filter_name="FlateDecode"), "炸弹"),
    "nested-stream.pdf": (lambda: raw_pdf(b"[" * 200_000 + b"]" * 200_000), "PDF"),
    "nested-object.pdf": (
        lambda: raw_pdf(b"BT ET").replace(
            b"/MediaBox [0 0 595 842]", b"/MediaBox [0 0 595 842] /Foo " + b"[" * 100_000 + b"]" * 100_000
        ),
        "PDF",
    ),
    "many-pages.pdf": (lambda: _blank_pages(120), "页数过多"),
    "lying-count.pdf": (lambda: _blank_pages(3).replace(b"/Count 3", b"/Count 999999999"), "PDF"),
    "empty.html": (
        lambda: b"<html><head><title>t</title></head><body><script>x()</script></body></html>",
        "没有找到正文",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_is_skipped_with_a_reason_in_time(tmp_path: Path, name: str):
    make, why = BAD[name]
    result = _run(tmp_path, name, make())
    assert isinstance(result, Skipped), name
    assert why in result.reason and "\n" not in result.reason
    assert "Traceback" not in result.reason and "Error" not in result.reason


def test_owner_password_only_pdf_is_read(tmp_path: Path):
    from reportlab.lib.pdfencrypt import StandardEncryption

    enc = StandardEncryption("", ownerPassword="owner", canPrint=0, canCopy=0)
    paragraphs = ["某县教育局2024年工作总结", "一、基本情况", "全县共有学校88所，在校学生15612人。"]
    result = _run(tmp_path, "restricted.pdf", build_pdf(paragraphs, password=enc))
    assert isinstance(result, FileResult) and "全县共有学校88所，在校学生15612人。" in result.text


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_pdf_encrypted_with_an_owner_password_only_is_read(tmp_path: Path, algorithm: str):
    import pypdf

    reader = pypdf.PdfReader(
        io.BytesIO(build_pdf(["某县教育局2024年工作总结", "一、基本情况", "全县共有学校88所，在校学生15612人。"]))
    )
    writer = pypdf.PdfWriter(clone_from=reader)
    writer.encrypt(user_password="", owner_password="owner", algorithm=algorithm)
    buf = io.BytesIO()
    writer.write(buf)
    result = _run(tmp_path, "aes.pdf", buf.getvalue())
    assert isinstance(result, FileResult) and "全县共有学校88所，在校学生15612人。" in result.text


def test_decompression_bomb_stays_within_memory(tmp_path: Path):
    data = raw_pdf(zlib.compress(b"0 0 m " * (150 * 2**20 // 6), 9), filter_name="FlateDecode")
    tracemalloc.start()
    try:
        result = _run(tmp_path, "bomb.pdf", data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(result, Skipped) and "炸弹" in result.reason
    assert peak < 400 * 2**20  # 150 MB inflated is refused at pypdf's 75 MB cap


def test_deeply_nested_web_page_is_refused_quickly(tmp_path: Path):
    page = (
        "<html><body>"
        + "<div>" * 100_000
        + "<p>全县共有学校88所。</p>"
        + "</div>" * 100_000
        + "<p>其余部分的正文内容。</p></body></html>"
    ).encode()
    result = _run(tmp_path, "deep.html", page)
    assert isinstance(result, Skipped) and "嵌套过深" in result.reason


def test_wps_is_skipped_with_advice(tmp_path: Path):
    (tmp_path / "draft.wps").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    files, skipped = discover(tmp_path)
    assert not files
    assert [s.path for s in skipped] == ["draft.wps"] and "另存为" in skipped[0].reason and ".docx" in skipped[0].reason


def test_damaged_doc_is_skipped_with_advice(tmp_path: Path):
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    files, skipped = discover(tmp_path)
    assert [f.rel for f in files] == ["old.doc"] and not skipped
    result = process_file(files[0], PARAMS)
    assert isinstance(result, Skipped) and ".docx" in result.reason
    assert "antiword" in result.reason  # either it could not read it, or it is not installed


def test_big5_report_is_decoded_as_big5(tmp_path: Path):
    from opencc import OpenCC

    traditional = OpenCC("s2t").convert((SEEDS / GOOD).read_text(encoding="utf-8"))
    data = traditional.encode("big5", errors="replace")
    result = _run(tmp_path, "big5.txt", data)
    assert isinstance(result, FileResult)
    assert result.text == data.decode("big5")
    assert "古丈縣現有各級各類學校88所" in result.text


def test_mojibake_is_never_indexed(tmp_path: Path):
    text = (SEEDS / GOOD).read_text(encoding="utf-8")
    double = text.encode("utf-8").decode("latin-1").encode("utf-8")  # UTF-8 read as Latin-1, saved again
    result = _run(tmp_path, "mojibake.txt", double)
    assert isinstance(result, Skipped) and "乱码" in result.reason


def test_one_folder_of_bad_files_answers_from_the_good_ones(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.pdf").write_bytes(_good_pdf())
    for name, (make, _) in BAD.items():
        if name != "stream-bomb.pdf":
            (corpus / name).write_bytes(make())
    (corpus / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    settings = load_settings(
        overrides={"corpus": str(corpus), "cache_dir": str(tmp_path / "cache"), "max_pdf_pages": 50, "workers": 1}
    )
    engine = Engine.open(settings)
    assert [d.path for d in engine.corpus.docs] == ["good.pdf"]
    skipped = {s.path: s.reason for s in engine.skipped}
    assert set(skipped) == (set(BAD) - {"stream-bomb.pdf"}) | {"old.doc"}
    answer = engine.answer("古丈县现有各级各类学校多少所？")
    assert answer.answered and "88所" in answer.sentences[0].text and answer.sentences[0].citation.page == 1


def test_damaged_pdfs_and_pages_never_raise(tmp_path: Path):
    """Truncations and flipped bytes of a good PDF and a good page: read or skipped, never an
    exception, each within the time limit."""
    import random

    from tests.htmlbuild import report_page

    rng = random.Random(16)
    good = {"r.pdf": _good_pdf(), "r.html": report_page((SEEDS / GOOD).read_text(encoding="utf-8"), charset="gbk")}
    outcomes = {FileResult: 0, Skipped: 0}
    for name, data in good.items():
        for n in range(25):
            damaged = bytearray(data[: rng.randrange(len(data) // 4, len(data))] if n % 2 else data)
            for _ in range(rng.randrange(1, 40)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            result = _run(tmp_path, f"{n}-{name}", bytes(damaged))
            outcomes[type(result)] += 1
            if isinstance(result, Skipped):
                assert result.reason and "\n" not in result.reason
    assert outcomes[FileResult] and sum(outcomes.values()) == 50


def test_pdf_whose_text_layer_is_garbage_is_skipped(tmp_path: Path):
    """A font without a usable character map gives rare characters instead of the report's."""
    rare = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(600))  # mostly uncommon Han
    from retrieval.ingest.formats.charset import likely_share

    assert likely_share(rare) < 0.6
    result = _run(tmp_path, "garbled.pdf", build_pdf(["某县教育局", rare]))
    assert isinstance(result, Skipped) and "乱码" in result.reason and "OCR" in result.reason


def test_hong_kong_big5_is_read(tmp_path: Path):
    from opencc import OpenCC

    text = OpenCC("s2hk").convert((SEEDS / GOOD).read_text(encoding="utf-8")) + "\n另有粵語教材「嘅」字一個。\n"
    data = text.encode("big5hkscs", errors="replace")
    result = _run(tmp_path, "hk.txt", data)
    assert isinstance(result, FileResult)
    assert "嘅" in result.text and "古丈縣現有各級各類學校88所" in result.text


def test_pdf_size_has_its_own_limit(tmp_path: Path):
    data = _good_pdf()
    assert len(data) > 10_000
    read = _run(tmp_path, "a.pdf", data, {**PARAMS, "max_file_mb": 0.001, "max_pdf_mb": 1})
    assert isinstance(read, FileResult)  # larger than max_file_mb, within max_pdf_mb
    refused = _run(tmp_path, "b.pdf", data, {**PARAMS, "max_file_mb": 256, "max_pdf_mb": 0.001})
    assert isinstance(refused, Skipped) and "过大" in refused.reason and "max_pdf_mb" in refused.reason
