"""Outline recognition, section paths, sentence splitting and offsets."""

from __future__ import annotations

from retrieval.ingest.chunker import chunk_document, split_sentences
from retrieval.ingest.documents import make_document, noise_spans
from retrieval.lang.headings import heading_level

TEXT = (
    "某某县教育局2023年工作总结\r\n"
    "\r\n"
    "一、2023年工作情况\r\n"
    "（一）聚焦中心工作\r\n"
    "1.普惠优质发展学前教育。新建公办幼儿园3所，新增学位900个。\r\n"
    "2、均衡发展义务教育。一是改善办学条件，新建校舍2栋；二是加强师资，招聘教师45名。\r\n"
    "(二)保障民生\r\n"
    "[bookmark: _GoBack]全年发放资助资金1200万元，惠及学生8000人次！资助政策全覆盖?\r\n"
    "二、2024年工作计划\r\n"
    "继续推进控辍保学，确保适龄儿童入学率100%。\r\n"
)


def _chunks(text: str = TEXT, max_chars: int = 400):
    doc = make_document("d", "d.txt", text)
    return doc, chunk_document(doc, noise_spans(text, doc.title), max_chars)


def test_heading_levels():
    assert heading_level("一、基本情况") == 0
    assert heading_level("（二）保障民生") == heading_level("(二)保障民生") == 1
    assert heading_level("1.普惠") == heading_level("1、普惠") == 2
    assert heading_level("一是改善办学条件") == 4
    assert heading_level("2023年以来，全县") is None
    assert heading_level("1.5万元用于") is None


def test_section_paths_follow_the_outline():
    doc, chunks = _chunks()
    by_first = {doc.text[c.sentences[0][0] : c.sentences[0][1]]: c for c in chunks}
    c = by_first["1.普惠优质发展学前教育。"]
    assert c.section == ("一、2023年工作情况", "（一）聚焦中心工作", "1.普惠优质发展学前教育")
    c = by_first["全年发放资助资金1200万元，惠及学生8000人次！"]
    assert c.section == ("一、2023年工作情况", "(二)保障民生")
    c = by_first["继续推进控辍保学，确保适龄儿童入学率100%。"]
    assert c.section == ("二、2024年工作计划",)


def test_heading_only_lines_and_title_are_not_chunks():
    doc, chunks = _chunks()
    firsts = [doc.text[c.start : c.end] for c in chunks]
    assert not any(f.startswith(("某某县教育局", "一、", "（一）", "(二)", "二、")) for f in firsts)


def test_offsets_slice_the_original_text():
    doc, chunks = _chunks()
    sentences = [doc.text[s:e] for c in chunks for s, e in c.sentences]
    assert "新建公办幼儿园3所，新增学位900个。" in sentences
    assert "资助政策全覆盖?" in sentences
    # Inline 一是/二是 enumerations start their own sentences; the bookmark marker is trimmed.
    assert "一是改善办学条件，新建校舍2栋；" in sentences
    assert "二是加强师资，招聘教师45名。" in sentences
    assert not any("bookmark" in s or "\r" in s or s != s.strip() for s in sentences)
    for c in chunks:
        assert c.para_start <= c.start < c.end <= c.para_end
        assert c.sentences[0][0] == c.start and c.sentences[-1][1] == c.end


def test_long_paragraphs_split_at_sentence_ends_and_tile_the_paragraph():
    paragraph = "".join(f"第{i}项工作完成投资{i}00万元。" for i in range(1, 60))
    doc, chunks = _chunks("标题一行\n" + paragraph + "\n", max_chars=120)
    assert len(chunks) > 5
    assert all(c.end - c.start <= 120 for c in chunks)
    assert chunks[0].start == chunks[0].para_start and chunks[-1].end == chunks[-1].para_end
    assert "".join(doc.text[c.start : c.end] for c in chunks) == paragraph
    assert len({c.paragraph for c in chunks}) == 1


def test_split_sentences_handles_ascii_and_closing_quotes():
    text = "他说：“完成了。”随后开会;再议! 结束"
    spans = split_sentences(text, 0, len(text))
    assert [text[a:b] for a, b in spans] == ["他说：“完成了。”", "随后开会;", "再议!", "结束"]


def test_inline_enumeration_items_label_their_own_sentences():
    doc, chunks = _chunks()
    by_first = {doc.text[c.sentences[0][0] : c.sentences[0][1]]: c for c in chunks}
    first = by_first["一是改善办学条件，新建校舍2栋；"]
    second = by_first["二是加强师资，招聘教师45名。"]
    base = ("一、2023年工作情况", "（一）聚焦中心工作", "2、均衡发展义务教育")
    assert first.section == base + ("一是改善办学条件",)
    assert second.section == base + ("二是加强师资",)
    assert by_first["2、均衡发展义务教育。"].section == base
    assert first.paragraph == second.paragraph


def test_a_sentence_broken_across_short_lines_is_kept_and_a_date_line_is_not():
    text = (
        "某某统计公报\n一、劳动就业\n全年城镇新增就业 1244 万人，城镇失业人员再就业 514\n"
        "万人，就业困难人员就业 172 万人。\n2024年3月\n"
    )
    doc, chunks = _chunks(text)
    kept = [doc.text[c.start : c.end] for c in chunks]
    assert kept[0] == "全年城镇新增就业 1244 万人，城镇失业人员再就业 514"
    assert kept[1].startswith("万人，就业困难人员")
    assert not any("2024年3月" in k for k in kept)


def test_no_sentence_ends_inside_a_closed_title_or_parenthesis_nor_after_an_initial():
    def split(text):
        return [text[a:b] for a, b in split_sentences(text, 0, len(text))]

    assert split("《卡拉OK.LIVE！‧台北‧我》是第六张专辑。下一句。") == [
        "《卡拉OK.LIVE！‧台北‧我》是第六张专辑。",
        "下一句。",
    ]
    assert split("主席是约翰·麦克阿瑟（John H. McArthur）。他说。") == [
        "主席是约翰·麦克阿瑟（John H. McArthur）。",
        "他说。",
    ]
    assert split("医生阿普伽(Dr. Virginia Apgar)设计。好。") == ["医生阿普伽(Dr. Virginia Apgar)设计。", "好。"]
    # A bracket left open on the line does not swallow the sentences after it; English still splits.
    assert split("未闭合（的括号。后一句。") == ["未闭合（的括号。", "后一句。"]
    assert split("It is done. Next one.") == ["It is done.", "Next one."]
