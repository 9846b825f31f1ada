"""PDF text as a reader sees it, on small PDFs built here: justified spacing, note marks,
lines of figures, columns, fake bold, a title set as a picture, turned pages, pages without
text (OCR when installed, a notice when not)."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.index.corpus import page_at
from retrieval.ingest.formats.pdf import PdfProblem, read_pdf
from retrieval.ingest.formats.pdf_ocr import available, rows_from_boxes
from retrieval.ingest.loader import discover
from retrieval.ingest.process import process_file
from retrieval.ingest.result import FileResult
from tests.pdfbuild import (
    LEADING,
    MARGIN_X,
    PAGE_H,
    PAGE_W,
    SIZE,
    TOP,
    draw_line,
    draw_picture,
    justified,
    layout_pdf,
    picture,
)

pytest.importorskip("reportlab")
WIDTH = PAGE_W - 2 * MARGIN_X
PARAMS = {"max_chunk_chars": 400, "k1": 1.5, "b": 0.75, "epsilon": 0.25, "max_file_mb": 256, "max_docx_xml_mb": 64}


def _read(data: bytes, **kwargs) -> str:
    return read_pdf(data, max_pages=50, max_seconds=30, **kwargs).text


def _paragraphs(data: bytes, **kwargs) -> list[str]:
    return _read(data, **kwargs).splitlines()


def test_justified_lines_and_spaced_headings_read_without_spaces():
    def page(c):
        draw_line(c, MARGIN_X, TOP, "一、综合", width=6 * SIZE)  # letter-spaced heading
        justified(
            c,
            [
                "初步核算，全年生产总值14210亿元，比上年增长6.1%。其中，第",
                "二产业增加值5221.9亿元，增长8.7%；第三产业增加值8649.7亿",
                "元，增长4.4%。",
            ],
            y=TOP - LEADING,
        )

    assert _paragraphs(layout_pdf([page])) == [
        "一、综合",
        "初步核算，全年生产总值14210亿元，比上年增长6.1%。其中，第二产业增加值5221.9亿元，"
        "增长8.7%；第三产业增加值8649.7亿元，增长4.4%。",
    ]


def test_line_starting_with_figures_continues_its_paragraph():
    """A ragged line that ends early because the figure after it does not fit, and a line of
    ASCII figures and half-width punctuation, are full lines: the sentence goes on."""
    first = "全年全市规模以上工业增加值比上年增长，其中装备制造业和高技术制造业增加值合计"  # 3 short:
    second = "12,345.67亿元,比上年增长0.2%,高技术制造业增加值增长8.1%,占规模以上工业的"  # the figure did not fit

    def page(c):
        draw_line(c, MARGIN_X + 2 * SIZE, TOP, first)
        draw_line(c, MARGIN_X, TOP - LEADING, second, width=WIDTH)
        draw_line(
            c,
            MARGIN_X,
            TOP - 2 * LEADING,
            "比重为41.2%,比上年提高1.6个百分点,全市工业生产稳中有进,效益持续改善。",
            width=WIDTH,
        )
        draw_line(c, MARGIN_X, TOP - 3 * LEADING, "结构继续优化。")
        draw_line(c, MARGIN_X + 2 * SIZE, TOP - 4 * LEADING, "下一段。")

    paragraphs = _paragraphs(layout_pdf([page]))
    assert paragraphs[0].startswith(first + second)
    assert paragraphs[0].endswith("效益持续改善。结构继续优化。")
    assert paragraphs[1] == "下一段。"


def test_note_marks_after_figures_are_dropped():
    def page(c):
        end = draw_line(c, MARGIN_X, TOP, "全年生产总值")
        end = draw_line(c, end, TOP, "[2]", size=7, rise=5)  # superscript, raised
        end = draw_line(c, end, TOP, "1329.65亿元，增长4.4%")
        end = draw_line(c, end, TOP, "3", size=7, rise=5)
        draw_line(c, end, TOP, "；人口增长1.2%③，收入增长5.0%［1］。")
        y = TOP - 2 * LEADING
        draw_line(c, MARGIN_X, y, "原保险保费收入", width=WIDTH)
        end = draw_line(c, MARGIN_X, y - LEADING, "[9]", size=7, rise=5)  # carried to the next line
        draw_line(c, end, y - LEADING, "768.74亿元。")
        draw_line(c, MARGIN_X, 120, "[2] 生产总值按当年价格计算。", size=9)  # the note itself stays

    text = _read(layout_pdf([page]))
    assert "全年生产总值1329.65亿元，增长4.4%；人口增长1.2%，收入增长5.0%。" in text
    assert "原保险保费收入768.74亿元。" in text
    assert "[2] 生产总值按当年价格计算。" in text


def test_two_columns_are_read_column_by_column():
    left = ["左栏第一段的文字排成窄栏，", "每行十几个字，两端对齐，", "一直写到这一段结束为止。"] * 3
    right = ["右栏的文字在另一栏里，", "和左栏同一基线并排，读", "完左栏以后再读这一栏。"] * 3
    col = (WIDTH - 2 * SIZE) / 2

    def page(c):
        draw_line(c, MARGIN_X + 6 * SIZE, TOP, "报纸版面的通栏大标题横跨两栏排在最上面")
        for n, (a, b) in enumerate(zip(left, right)):
            y = TOP - (n + 2) * LEADING
            draw_line(c, MARGIN_X, y, a, width=col)
            draw_line(c, MARGIN_X + col + 2 * SIZE, y, b, width=col)

    text = _read(layout_pdf([page]))
    assert text.index("报纸版面") < text.index("左栏第一段") < text.index("右栏的文字")
    assert "".join(left) in text.replace("\n", "") and "".join(right) in text.replace("\n", "")


def test_text_printed_twice_is_read_once():
    def page(c):
        for dx in (0.0, 0.4):  # fake bold: the same line again, a little to the right
            draw_line(c, MARGIN_X + dx, TOP, "国内生产总值增长5.2%。")

    assert _paragraphs(layout_pdf([page])) == ["国内生产总值增长5.2%。"]


def test_title_set_as_a_picture_falls_back_to_the_file_name(tmp_path: Path):
    def page(c):
        draw_picture(c, picture(["ANNUAL STATISTICAL COMMUNIQUE"], (1200, 160)), MARGIN_X, 680, WIDTH)
        draw_line(c, MARGIN_X + 8 * SIZE, 640, "黔东南州统计局")
        justified(c, ["全年地区生产总值增长4.1%。"], y=600)

    (tmp_path / "黔东南州2024年国民经济和社会发展统计公报.pdf").write_bytes(layout_pdf([page]))
    files, _ = discover(tmp_path)
    result = process_file(files[0], PARAMS)
    assert isinstance(result, FileResult)
    assert result.title == "黔东南州2024年国民经济和社会发展统计公报"


def test_title_in_large_type_over_two_lines():
    def page(c):
        draw_line(c, MARGIN_X, TOP, "关于某市2025年预算执行情况和", size=20)
        draw_line(c, MARGIN_X, TOP - 30, "2026年预算的报告", size=20)
        justified(
            c,
            [
                "受市人民政府委托，现将本市2025年预算执行情况和2026年预算草案的报告提请",
                "市人民代表大会审议，并请市政协各位委员提出意见。",
            ],
            y=TOP - 70,
        )

    out = read_pdf(layout_pdf([page]), max_pages=5, max_seconds=30)
    assert out.title == "关于某市2025年预算执行情况和2026年预算的报告"


def test_turned_landscape_page_reads_in_order():
    """A landscape page stored as portrait and turned for display (/Rotate 90). (Each line
    holds figures: without the font on this machine, PDFium measures turned Chinese text
    only by its Latin glyphs.)"""
    lines = [
        "横排表格页的说明：2025年全年一般公共预算收入完成",
        "6680.6亿元，增长4.8%，其中税收收入5775.6亿元，",
        "增长3.2%。",
    ]

    def page(c):
        c.saveState()
        c.translate(PAGE_W - 60, 60)
        c.rotate(90)  # text runs up the stored page, left to right on the turned one
        justified(c, lines, x=0, y=0, width=600)
        c.restoreState()

    assert _paragraphs(layout_pdf([page], rotate=90)) == ["".join(lines)]


def _three_pages(middle) -> bytes:
    def text(words):
        return lambda c: justified(c, [words])

    return layout_pdf([text("第一页的正文写在这里。"), middle, text("最后一页另有一段话。")])


def test_page_without_text_is_counted_and_said_per_file():
    def scan(c):
        draw_picture(c, picture(["GDP 13902.67"]), MARGIN_X, 400, WIDTH)

    out = read_pdf(_three_pages(scan), max_pages=5, max_seconds=30, ocr=None)
    assert out.meta["pages_unread"] == "2"
    assert (out.notes.empty_pages, out.notes.ocr_pages) == (1, 0)  # counted for `reportqa index`
    assert "pip install 'reportqa[ocr]'" in out.meta["unread_reason"]
    assert page_at(out.pages, out.text.index("最后一页")) == 3


def test_garbled_page_is_left_out_and_the_others_kept():
    rare = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(200))  # mostly uncommon Han

    def garbled(c):
        draw_line(c, MARGIN_X, TOP, rare[:40])
        draw_line(c, MARGIN_X, TOP - LEADING, rare[40:80])

    out = read_pdf(_three_pages(garbled), max_pages=5, max_seconds=30, ocr=None)
    assert out.meta["pages_unread"] == "2" and rare[:10] not in out.text
    assert "第一页" in out.text and "最后一页" in out.text


class FakeOcr:
    """Stands in for the OCR model: finds one line of text on every page it is given."""

    def __init__(self):
        self.seen: list[tuple[int, tuple[int, int]]] = []
        self.finished = False

    def read(self, doc, i, *, name="", step=(1, 1)):
        self.seen.append((i, step))
        box = [[100.0, 300.0], [700.0, 300.0], [700.0, 340.0], [100.0, 340.0]]
        return rows_from_boxes([(box, "扫描页上的文字：地区生产总值增长4.7%。")], 2.0, PAGE_H)

    def finish(self):
        self.finished = True


def test_pages_without_text_go_to_ocr_in_order():
    def scan(c):
        draw_picture(c, picture(["GDP"]), MARGIN_X, 400, WIDTH)

    ocr = FakeOcr()
    out = read_pdf(_three_pages(scan), max_pages=5, max_seconds=30, ocr=ocr, name="r")
    assert ocr.seen == [(1, (1, 1))] and ocr.finished
    assert out.meta["pages_ocr"] == "2" and "pages_unread" not in out.meta
    assert (out.notes.empty_pages, out.notes.ocr_pages) == (0, 1)
    assert page_at(out.pages, out.text.index("扫描页上的文字")) == 2
    assert out.text.index("第一页") < out.text.index("扫描页") < out.text.index("最后一页")


def test_scan_without_ocr_names_the_extra():
    def scan(c):
        draw_picture(c, picture(["GDP"]), MARGIN_X, 400, WIDTH)

    with pytest.raises(PdfProblem, match=r"扫描件.*pip install 'reportqa\[ocr\]'"):
        read_pdf(layout_pdf([scan, scan]), max_pages=5, max_seconds=30, ocr=None)


def test_index_says_which_pages_were_not_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    from bot.cli import main

    def scan(c):
        draw_picture(c, picture(["GDP"]), MARGIN_X, 400, WIDTH)

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "公报.pdf").write_bytes(_three_pages(scan))
    assert (
        main(
            [
                "index",
                "--quiet",
                "--corpus",
                str(corpus),
                "--cache-dir",
                str(tmp_path / "cache"),
                "--config",
                str(_ocr_off(tmp_path)),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "公报.pdf：1 页（第 2 页）没有文字层" in out and "pip install 'reportqa[ocr]'" in out
    assert "未能读取：1 页没有文字（扫描页）" in out  # the summary of what was read


def _ocr_off(tmp_path: Path) -> Path:
    path = tmp_path / "ocr-off.toml"
    path.write_text('ocr = "off"\nsemantic = "off"\n', encoding="utf-8")
    return path


@pytest.mark.slow
@pytest.mark.skipif(
    not available(), reason="OCR extra not installed (pip install 'reportqa[ocr]'; make test-all installs it)"
)
def test_ocr_reads_a_scanned_page():
    from retrieval.ingest.formats.pdf_ocr import engine

    def scan(c):
        draw_picture(c, picture(["GDP 2025: 13902.67", "Growth 4.7%"], (1200, 260)), MARGIN_X, 500, WIDTH)

    out = read_pdf(layout_pdf([scan]), max_pages=5, max_seconds=30, ocr=engine(progress=lambda m: None))
    assert "13902.67" in out.text and "4.7%" in out.text
    assert out.meta["pages_ocr"] == "1"
