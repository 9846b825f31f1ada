"""Telegram HTML rendering and message splitting (pure functions)."""

from __future__ import annotations

import re

from hypothesis import given, settings as hsettings, strategies as st
from tg_html import plain, problems

from bot.telegram import render
from retrieval import Answer, Citation, Document, Passage, Sentence


def _citation(
    title: str = "某县教育局2024年工作总结",
    section: str = "一、基本情况",
    start: int = 10,
    end: int = 20,
    para_start: int = 0,
    para_end: int = 40,
) -> Citation:
    return Citation(
        doc_id="a.txt",
        title=title,
        path="a.txt",
        section=section,
        paragraph=4,
        start=start,
        end=end,
        para_start=para_start,
        para_end=para_end,
    )


def test_user_and_corpus_text_is_escaped():
    nasty = "<script>alert(1)</script> & <b>粗</b> 88所"
    sentence = Sentence(nasty, 1.0, _citation(title="<i>标题</i>&", section="<章节>"))
    out = render.answer_html([sentence])
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "&amp;" in out and "&lt;i&gt;标题&lt;/i&gt;&amp;" in out
    assert problems(out) == []
    assert plain(out).startswith("[1] " + nasty)
    assert render.search_html("<script>&", []).count("&lt;script&gt;&amp;") == 1


def test_figures_are_bold_but_dates_are_not():
    out = render.emphasize_figures("2024年全县有学校88所，入园率95.6%，教师1,200名。")
    assert "<b>88所</b>" in out and "<b>95.6%</b>" in out and "<b>1,200名</b>" in out
    assert "<b>2024" not in out
    assert problems(out) == []


def test_figures_never_break_entities():
    out = render.emphasize_figures("它'引号'10所 & 20个")
    assert problems(out) == []
    assert plain(out) == "它'引号'10所 & 20个"


def test_answer_numbers_sentences_and_cites_each():
    sentences = [Sentence(f"第{i}句。", 1.0, _citation(section=f"一、甲 › （二）乙 › {i}.丙")) for i in range(3)]
    out = render.answer_html(sentences, first_number=4)
    assert [line for line in out.splitlines() if line.startswith("<b>[")] == [
        "<b>[4]</b> 第0句。",
        "<b>[5]</b> 第1句。",
        "<b>[6]</b> 第2句。",
    ]
    assert out.count("<i>—— 某县教育局2024年工作总结 › ") == 3
    assert "2.丙，第4段</i>" in out
    assert problems(out) == []


def test_short_source_shortens_long_titles_and_sections():
    citation = _citation(title="很" * 50, section="一、" + "长" * 50)
    label = render.short_source(citation)
    title, rest = label.split(" › ")
    assert len(title) == render.MAX_PIECE and title.endswith("…")
    assert rest.endswith("，第4段")


def test_paragraph_highlights_the_cited_sentence():
    paragraph = "前一句话。被引用的<句子>&。后一句话。"
    lo = paragraph.index("被")
    hi = paragraph.index("。", lo) + 1
    citation = _citation(start=100 + lo, end=100 + hi, para_start=100, para_end=100 + len(paragraph))
    out = render.paragraph_html(paragraph, citation)
    assert "<b>被引用的&lt;句子&gt;&amp;。</b>" in out
    assert plain(out).startswith(paragraph)
    assert problems(out) == []


def test_paragraph_with_offsets_outside_is_shown_whole():
    out = render.paragraph_html("一段话。", _citation(start=50, end=60, para_start=0, para_end=4))
    assert "<b>" not in out.split("\n")[0]
    assert problems(out) == []


def test_sources_and_help_list_every_report():
    docs = [
        Document(doc_id=f"{i}.txt", path=f"{i}.txt", title=f"报告<{i}>", text="", places=("某县",), years=(2024,))
        for i in range(3)
    ]
    sources = render.sources_html(docs)
    assert "共收录 3 份报告" in sources and all(f"报告&lt;{i}&gt;" in sources for i in range(3))
    assert problems(sources) == []
    help_text = render.help_html(docs, ["问题一？", "问题<二>？"])
    assert "3 份报告" in help_text and "问题&lt;二&gt;？" in help_text and "/search" in help_text
    assert problems(help_text) == []


def test_search_lists_paragraphs_with_sources():
    passages = [Passage("学前教育" * 300, _citation(), 1.0), Passage("第二段", _citation(), 0.5)]
    out = render.search_html("学前教育", passages)
    assert "[1]" in out and "[2]" in out and "…" in out
    assert problems(out) == []


# --- splitting ---------------------------------------------------------------------------------
def _sentences(n: int) -> str:
    return "".join(f"这是第{i}句，内容较长一些，用来测试切分。" for i in range(n))


def test_short_messages_are_not_split():
    assert render.split_html("<b>短</b>") == ["<b>短</b>"]
    assert render.split_html("   ") == []


def test_split_prefers_line_ends():
    lines = [f"<b>[{i}]</b> " + "字" * 90 for i in range(100)]
    parts = render.split_html("\n".join(lines), limit=1000)
    assert len(parts) > 1
    for part in parts:
        assert problems(part) == [] and len(part) <= 1000
        assert part.startswith("<b>[")  # every part starts at a line start
    assert "\n".join(parts) == "\n".join(lines)


def test_split_long_line_at_sentence_ends_and_reopens_tags():
    text = "<b>" + _sentences(400) + "</b>"
    parts = render.split_html(text)
    assert len(parts) > 1
    for part in parts:
        assert problems(part) == [], part[:80]
        assert part.startswith("<b>") and part.endswith("</b>")
        assert plain(part).endswith("。")
    assert "".join(plain(p) for p in parts) == plain(text)


def test_split_without_any_break_cuts_between_characters_not_entities():
    text = "&amp;" * 3000 + "<i>" + "字" * 5000 + "</i>"
    parts = render.split_html(text, limit=4096)
    for part in parts:
        assert problems(part) == []
    assert "".join(plain(p) for p in parts) == plain(text)


def test_split_counts_utf16_units():
    text = "😀" * 3000  # two UTF-16 units each
    parts = render.split_html(text)
    assert len(parts) == 2
    assert all(render.utf16_len(p) <= 4096 for p in parts)
    assert "".join(parts) == text


_piece = st.one_of(
    st.text(alphabet="甲乙丙丁。，！？\n <>&'\"a1", min_size=1, max_size=60).map(render.escape),
    st.text(alphabet="甲乙。\n&<", min_size=1, max_size=40).map(lambda t: f"<b>{render.escape(t)}</b>"),
    st.text(alphabet="丙丁，。", min_size=1, max_size=40).map(lambda t: f"<i><u>{t}</u>尾</i>"),
)


def test_split_whitespace_only_text_gives_no_message():
    assert render.split_html(" ", limit=40) == []
    assert render.split_html("<b> </b>\n", limit=40) == []


@hsettings(max_examples=60, deadline=None)
@given(st.lists(_piece, min_size=1, max_size=80), st.integers(min_value=40, max_value=400))
def test_split_property_valid_parts_and_no_text_lost(pieces, limit):
    text = "".join(pieces)
    parts = render.split_html(text, limit=limit)
    if not plain(text).strip():
        assert parts == []  # Telegram refuses messages without visible text
        return
    for part in parts:
        assert problems(part) == []
        assert render.utf16_len(part) <= limit
    # No visible character is lost or reordered; whitespace may go only where a message is cut
    # (Telegram trims it there anyway), so each part's text stands unbroken in the original.
    assert re.sub(r"\s", "", "".join(plain(p) for p in parts)) == re.sub(r"\s", "", plain(text))
    for part in parts:
        assert plain(part).strip() in plain(text)


def test_reply_is_the_answer_the_closest_sentences_or_the_message():
    sentences = tuple(Sentence(f"学校{i}所。", 1.0, _citation()) for i in (88, 12))
    answered = Answer("问", True, sentences, resolved="问")
    assert render.reply_html(answered) == render.answer_html(sentences)
    closest = Answer("问", False, message="没有找到。", closest=sentences[:1], resolved="问")
    out = render.reply_html(closest)
    assert plain(out).startswith("没有找到。") and render.CLOSEST_HEADING in plain(out) and "学校88所" in plain(out)
    assert render.reply_html(Answer("问", False, message="没有<找到>。", resolved="问")) == "没有&lt;找到&gt;。"
    follow_up = Answer("那长葛呢？", True, sentences, resolved="长葛市学校多少所？")
    out = render.reply_html(follow_up)
    assert out.startswith("<i>（按“长葛市学校多少所？”理解）</i>\n\n") and out.endswith(render.answer_html(sentences))
    for reply in (out, render.reply_html(closest)):
        assert problems(reply) == []
