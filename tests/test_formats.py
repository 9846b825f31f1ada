"""PDF and web-page reports answer as their .txt versions do, cited to the page."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from config import load_settings
from retrieval import Engine
from retrieval.index.corpus import page_at
from retrieval.ingest.formats.pdf import assemble
from retrieval.ingest.loader import discover
from retrieval.ingest.process import process_file
from retrieval.ingest.result import FileResult
from tests.conftest import ROOT, SEEDS, shown
from tests.htmlbuild import SITE, report_page, table_page
from tests.pdfbuild import report_pdf

pytest.importorskip("reportlab")
pypdf = pytest.importorskip("pypdf")

PDF_SEED = "2024_古丈县教体局_工作总结及2025年工作计划.txt"
HTML_SEED = "2023_长葛市教体局_重点工作总结及2024年重点工作谋划.txt"
HEADER = "古丈县教育和体育局文件"
PARAMS = {"max_chunk_chars": 400, "k1": 1.5, "b": 0.75, "epsilon": 0.25, "max_file_mb": 256, "max_docx_xml_mb": 64}
# Page furniture and site chrome that must never be part of a cited sentence.
FURNITURE = re.compile(
    rf"{HEADER}|^-\s*\d+\s*-$|第\s*\d+\s*页|{SITE}|首页|政务公开|当前位置|分享到|"
    r"相关文章|主办单位|版权所有|备案号|网站标识码|浏览次数|字号|微博|QQ空间"
)


def _dev(report: str) -> list[dict]:
    rows = [
        json.loads(line)
        for line in (ROOT / "tests/data/dev.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return [r for r in rows if r["report"] == report]


def _engine(folder: Path, cache: Path) -> Engine:
    return Engine.open(load_settings(overrides={"corpus": str(folder), "cache_dir": str(cache)}))


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Engine, bytes]:
    """(the seeds as .txt, the same seeds with one as a PDF and one as a GBK web page, the PDF)."""
    base = tmp_path_factory.mktemp("formats")
    plain, mixed = base / "plain", base / "mixed"
    shutil.copytree(SEEDS, plain)
    shutil.copytree(SEEDS, mixed)
    pdf = report_pdf((SEEDS / PDF_SEED).read_text(encoding="utf-8"), header=HEADER, footer="- {page} -")
    (mixed / PDF_SEED).unlink()
    (mixed / PDF_SEED).with_suffix(".pdf").write_bytes(pdf)
    (mixed / HTML_SEED).unlink()
    (mixed / HTML_SEED).with_suffix(".html").write_bytes(
        report_page(
            (SEEDS / HTML_SEED).read_text(encoding="utf-8"),
            charset="gbk",
            meta_style="http-equiv",
            published="2024-01-08 10:30",
            source="长葛市教体局",
        )
    )
    return _engine(plain, base / "c1"), _engine(mixed, base / "c2"), pdf


def _page_texts(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(__import__("io").BytesIO(pdf))
    return [re.sub(r"\s+", "", p.extract_text()) for p in reader.pages]


@pytest.mark.parametrize("seed, fmt", [(PDF_SEED, "pdf"), (HTML_SEED, "html")])
def test_pdf_and_web_page_answer_the_dev_questions_as_the_txt_does(engines, seed: str, fmt: str):
    plain, mixed, pdf = engines
    questions = _dev(seed)
    assert len(questions) >= 10
    pages = _page_texts(pdf)
    for row in questions:
        want = plain.answer(row["question"])
        got = mixed.answer(row["question"])
        assert got.answered == want.answered, row["id"]
        if not want.answered:
            continue
        assert got.sentences[0].text == want.sentences[0].text, row["id"]
        first = got.sentences[0].citation
        assert Path(first.path).stem == Path(want.sentences[0].citation.path).stem, row["id"]
        for sentence in got.sentences:
            c = sentence.citation
            assert not FURNITURE.search(sentence.text), (row["id"], sentence.text)
            assert "\n" not in sentence.text
            doc = mixed.corpus.doc_index(c.doc_id)
            assert mixed.corpus.text(doc)[c.start : c.end] == sentence.text  # offsets index what :open shows
            if c.path.endswith(".pdf"):
                assert c.format == "pdf" and c.page is not None
                # The sentence starts on the page cited: its opening is on that page, or runs
                # from the end of that page onto the next.
                opening = re.sub(r"\s+", "", sentence.text)[:12]
                here = pages[c.page - 1]
                across = here[-len(opening) :] + (pages[c.page][: len(opening)] if c.page < len(pages) else "")
                assert opening in here or opening in across, (row["id"], c.page, opening)
                # A sentence that runs onto the next page says so (第N–M页) and ends there.
                assert c.page_end is None or (c.page_end > c.page and c.pages == f"第{c.page}–{c.page_end}页")
                closing = re.sub(r"\s+", "", sentence.text)[-6:]
                assert c.page_end is None or closing in pages[c.page_end - 1], (row["id"], c.page_end, closing)
                assert c.pages in c.label() and c.pages.startswith(f"第{c.page}")
            else:
                assert c.page is None and "页" not in c.label().split("，")[-1]


def test_json_carries_the_page_and_the_format(engines):
    _, mixed, _ = engines
    answer = mixed.answer("古丈县现有各级各类学校多少所？")
    source = answer.to_json()["sentences"][0]["source"]
    assert source["format"] == "pdf" and source["path"].endswith(".pdf")
    assert source["page"] == 1
    txt = mixed.answer("怀化市2019年教育工作取得了哪些成绩？").to_json()
    for s in txt["sentences"] + txt["closest"]:
        if s["source"]["path"].endswith(".txt"):
            assert s["source"]["page"] is None and s["source"]["format"] == "txt"


def test_web_page_title_date_and_source_are_the_articles(engines):
    _, mixed, _ = engines
    doc = next(d for d in mixed.corpus.docs if d.path.endswith(".html"))
    assert doc.title == "2023年重点工作总结及2024年重点工作谋划"  # the heading, not the site name
    assert doc.meta == {"published": "2024-01-08", "source": "长葛市教体局"}
    assert doc.format == "html" and 2023 in doc.years
    text = mixed.corpus.text(mixed.corpus.docs.index(doc))
    assert not FURNITURE.search(text) and "统计代码" not in text and "line-height" not in text


def test_folder_of_a_saved_page_is_not_read_as_reports(tmp_path: Path):
    (tmp_path / "报告.html").write_bytes(report_page((SEEDS / HTML_SEED).read_text(encoding="utf-8")))
    (tmp_path / "报告_files").mkdir()
    (tmp_path / "报告_files" / "ad.htm").write_bytes("<html><body><p>广告</p></body></html>".encode())
    (tmp_path / "other_files").mkdir()  # no page of that name beside it: an ordinary folder
    (tmp_path / "other_files" / "a.txt").write_text("某县教育局工作总结\n全县共有学校88所。\n", encoding="utf-8")
    files, skipped = discover(tmp_path)
    assert [f.rel for f in files] == ["other_files/a.txt", "报告.html"] and not skipped


def test_xhtml_page_with_an_xml_declaration(tmp_path: Path):
    text = (SEEDS / HTML_SEED).read_text(encoding="utf-8")
    page = report_page(text, charset="gbk", meta_style="none")
    (tmp_path / "x.html").write_bytes(b'<?xml version="1.0" encoding="gbk"?>\n' + page)
    files, _ = discover(tmp_path)
    result = process_file(files[0], PARAMS)
    assert isinstance(result, FileResult), getattr(result, "reason", "")
    assert result.text.splitlines() == [ln.strip() for ln in text.splitlines() if ln.strip()]


def test_html5_page_with_an_article_header(tmp_path: Path):
    text = (SEEDS / HTML_SEED).read_text(encoding="utf-8")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    body = "".join(f"<p>{p}</p>" for p in lines[1:])
    page = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{SITE}</title></head><body>"
        f"<header><a href='/'>{SITE}</a><nav><a href='/a'>首页</a><a href='/b'>政务公开</a></nav></header>"
        f"<main><article><header><h1>{lines[0]}</h1><p>发布日期：2024-01-08 来源：长葛市教体局</p></header>"
        f"{body}</article></main><footer>版权所有 {SITE}</footer></body></html>"
    )
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    files, _ = discover(tmp_path)
    result = process_file(files[0], PARAMS)
    assert isinstance(result, FileResult)
    assert result.title == lines[0] and result.text.splitlines() == lines
    assert result.meta == {"published": "2024-01-08", "source": "长葛市教体局"}


def test_publication_date_gives_the_year_when_the_report_names_none(tmp_path: Path):
    text = "县教育局上半年工作总结\n一、基本情况\n全县共有中小学校42所，在校学生18650人。\n二、主要工作\n全面落实控辍保学责任。\n"
    (tmp_path / "p.html").write_bytes(report_page(text, published="2023-07-15 08:00"))
    (tmp_path / "q.html").write_bytes(report_page(text.replace("上半年", "2022年"), published="2023-01-05"))
    files, _ = discover(tmp_path)
    first, second = (process_file(f, PARAMS) for f in files)
    assert isinstance(first, FileResult) and first.years == [2023] and first.meta["published"] == "2023-07-15"
    assert isinstance(second, FileResult) and second.years == [2022]  # the report's own year first


def test_table_laid_out_page_without_class_names(tmp_path: Path):
    text = (SEEDS / "2021_溆浦县教育局_教育工作总结.txt").read_text(encoding="utf-8")
    (tmp_path / "old.htm").write_bytes(table_page(text, site="溆浦县人民政府", source="溆浦县教育局"))
    files, _ = discover(tmp_path)
    result = process_file(files[0], PARAMS)
    assert isinstance(result, FileResult)
    assert result.title == "2021年教育工作总结"  # not the site name that leads <title>
    assert result.text.splitlines() == [ln.strip() for ln in text.splitlines() if ln.strip()]
    assert result.meta == {"published": "2022-01-12", "source": "溆浦县教育局"}


def test_page_furniture_is_dropped_and_wrapped_lines_joined():
    # Full lines are 20 characters wide; a paragraph's first line is indented.
    pages = [
        "古丈县教体局文件\n第 1 页 共 3 页\n报告标题\n 一段很长的正文被折行了这里是第一行末尾的字\n"
        "接着是第二行。\n一、基本情况\n 第二段开头的文字很长很长很长很长很长很长很",
        "古丈县教体局文件\n第 2 页 共 3 页\n写到了第二页，句子跨页。\n - 2 -",
        "古丈县教体局文件\n第 3 页 共 3 页\n 最后一段的文字：English words and more\n"
        "English words are wrapped here, in 20\n24年。\n3",
    ]
    out = assemble(pages)
    assert out.text.splitlines() == [
        "报告标题",
        "一段很长的正文被折行了这里是第一行末尾的字接着是第二行。",
        "一、基本情况",
        "第二段开头的文字很长很长很长很长很长很长很写到了第二页，句子跨页。",
        "最后一段的文字：English words and more English words are wrapped here, in 2024年。",
    ]
    assert page_at(out.pages, out.text.index("写到了")) == 2
    assert page_at(out.pages, out.text.index("第二段开头")) == 1
    assert page_at(out.pages, out.text.index("最后一段")) == 3
    assert page_at([], 5) is None


@pytest.mark.parametrize(
    "style",
    [
        {"indent": True},
        {"indent": False, "para_gap": 9.0},  # block paragraphs: no indent, space between them
        {"indent": True, "furniture_last": True, "footer": "{page}"},  # bare page number, drawn last
        {"indent": True, "glyph_by_glyph": True, "footer": "第 {page} 页 共 {pages} 页"},  # justified glyphs
    ],
)
def test_seed_pdf_comes_back_paragraph_for_paragraph(tmp_path: Path, style: dict):
    text = (SEEDS / HTML_SEED).read_text(encoding="utf-8")
    kwargs = {"header": "长葛市教育体育局", **style}
    (tmp_path / "r.pdf").write_bytes(report_pdf(text, **kwargs))
    files, _ = discover(tmp_path)
    result = process_file(files[0], PARAMS)
    assert isinstance(result, FileResult)
    assert result.text.splitlines() == [ln.strip() for ln in text.splitlines() if ln.strip()]
    assert len(result.pages) >= 3 and result.pages[0] == 0


def test_glyph_by_glyph_spacing_is_closed_but_word_spaces_are_kept():
    spaced = assemble(["全 县 共 有 学 校 8 8 所 ， 在 校 学 生 多 人 。"]).text.strip()
    assert spaced.startswith("全县共有学校") and "在校学生多人。" in spaced
    kept = assemble(["开展“银铃心向党 浓情满重阳”主题党日活动。"]).text.strip()
    assert kept == "开展“银铃心向党 浓情满重阳”主题党日活动。"


@pytest.mark.parametrize(
    "charset, meta_style, bom",
    [
        ("gb2312", "charset", b""),
        ("gbk", "http-equiv", b""),
        ("utf-8", "charset", b"\xef\xbb\xbf"),
        ("gbk", "none", b""),
        ("big5", "charset", b""),
        ("big5", "none", b""),
        ("utf-8", "none", b""),
    ],
)
def test_web_page_charset_from_bom_meta_or_content(tmp_path: Path, charset: str, meta_style: str, bom: bytes):
    from opencc import OpenCC

    text = (SEEDS / HTML_SEED).read_text(encoding="utf-8")
    if charset == "big5":
        text = OpenCC("s2t").convert(text)
    page = report_page(text, charset=charset, meta_style=meta_style)
    if meta_style == "none":
        page = re.sub(rb"<meta[^>]*>", b"", page)
    (tmp_path / "page.htm").write_bytes(bom + page)
    files, _ = discover(tmp_path)
    result = process_file(files[0], PARAMS)
    assert isinstance(result, FileResult), getattr(result, "reason", "")
    first_paragraph = next(ln for ln in text.splitlines() if len(ln) > 60).strip()
    assert first_paragraph[:40] in result.text
    assert result.title == text.splitlines()[0].strip()


def test_changed_pdf_is_extracted_again_and_nothing_else(tmp_path: Path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    corpus.mkdir()
    text = (SEEDS / PDF_SEED).read_text(encoding="utf-8")
    (corpus / "a.pdf").write_bytes(report_pdf(text, header=HEADER))
    (corpus / "b.html").write_bytes(report_page((SEEDS / HTML_SEED).read_text(encoding="utf-8")))
    shutil.copy(SEEDS / PDF_SEED, corpus / "c.txt")
    first = _engine(corpus, cache)
    assert first.report.tokenised_files == 3
    (corpus / "a.pdf").write_bytes(report_pdf(text.replace("88所", "89所"), header=HEADER))
    second = Engine.open(first.settings)
    assert (second.report.tokenised_files, second.report.reused_files) == (1, 2)
    # Two reports now disagree (88所, 89所): the changed one is read again and shown.
    assert any("89所" in s.text for s in shown(second.answer("古丈县现有各级各类学校多少所？")))
    entries = list((second.report.cache_folder and Path(second.report.cache_folder) / "files").glob("*.tok"))
    assert len(entries) == 3
    record = FileResult.load(next(p for p in entries if FileResult.load(p).format == "pdf"))
    assert record.pages and record.pages[0] == 0 and record.meta == {}


def test_file_result_round_trips_format_pages_and_meta(tmp_path: Path):
    (tmp_path / "r.html").write_bytes(
        report_page((SEEDS / HTML_SEED).read_text(encoding="utf-8"), published="2024-01-08")
    )
    files, _ = discover(tmp_path)
    result = process_file(files[0], PARAMS)
    assert isinstance(result, FileResult)
    again = FileResult.loads(result.dumps())
    assert (again.format, again.pages, again.meta) == ("html", [], {"published": "2024-01-08", "source": "县教育局"})


def test_page_is_shown_in_terminal_open_and_telegram(engines):
    from bot import render
    from bot.telegram import render as tg
    from retrieval.engine import Passage

    _, mixed, _ = engines
    answer = mixed.answer("古丈县现有各级各类学校多少所？")
    sentence = answer.sentences[0]
    assert sentence.citation.page == 1
    assert "第1页，第" in render.answer_text(answer)
    opened = render.passage_text(
        Passage(mixed.paragraph(sentence.citation), sentence.citation), (sentence.citation.start, sentence.citation.end)
    )
    assert f"【{sentence.text}】" in opened and "第1页" in opened
    assert "第1页，第" in tg.sentence_block(1, sentence)
    assert "第1页" in tg.paragraph_html(mixed.paragraph(sentence.citation), sentence.citation)
    txt = next(
        s
        for s in mixed.answer("怀化市2019年教育工作取得了哪些成绩？").closest
        + mixed.answer("怀化市2019年教育工作取得了哪些成绩？").sentences
        if s.citation.path.endswith(".txt")
    )
    assert "页" not in tg.short_source(txt.citation).rsplit("，", 1)[-1]
    assert "页，第" not in txt.citation.label()
