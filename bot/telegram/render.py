"""Telegram HTML renderings of answers, paragraphs and listings. Pure functions, no I/O.

Every piece of report or user text goes through :func:`escape`; the only markup added here is
``<b>``, ``<i>`` and ``<code>``, always balanced and never spanning a line, so any message can be
cut at a line end. :func:`split_html` still copes with arbitrary balanced markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from bot.render import CLOSEST_HEADING, OTHER_YEARS_HEADING, TREND_HEADING, understood_line, year_of
from retrieval.types import SECTION_SEP, Answer, Citation, Document, Passage, Sentence

MAX_MESSAGE = 4096  # Telegram's limit for one text message (UTF-16 code units)
MAX_PIECE = 28  # characters of a title or section shown in a short source line
MAX_SEARCH_PARAGRAPH = 800

# A figure worth bolding: a number with a counting unit or a percent sign (not dates).
_UNITS = (
    "人次",
    "平方公里",
    "平方米",
    "公里",
    "千米",
    "小时",
    "课时",
    "学时",
    "%",
    "％",
    "所",
    "个",
    "名",
    "人",
    "次",
    "项",
    "家",
    "座",
    "间",
    "台",
    "件",
    "户",
    "条",
    "门",
    "倍",
    "亩",
    "元",
    "米",
    "吨",
    "册",
    "篇",
    "场",
    "期",
    "批",
    "届",
    "班",
    "位",
    "套",
    "支",
    "枚",
    "块",
    "辆",
    "本",
    "节",
    "天",
)
_FIGURE = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)*\s?(?:万|亿)?(?:" + "|".join(map(re.escape, _UNITS)) + ")")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    """Text made safe for Telegram HTML (``<``, ``>``, ``&`` and quotes become entities)."""
    return html.escape(text, quote=True)


def emphasize_figures(text: str) -> str:
    """``text`` escaped, with counted figures (``12所``, ``3.5%``) in bold."""
    out: list[str] = []
    pos = 0
    for match in _FIGURE.finditer(text):
        out.append(escape(text[pos : match.start()]))
        out.append(f"<b>{escape(match.group())}</b>")
        pos = match.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def shorten(text: str, limit: int = MAX_PIECE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short_source(citation: Citation) -> str:
    """``title › section，第N页，第N段`` with long pieces shortened (plain text, not escaped);
    the page only for PDFs."""
    parts = [shorten(citation.title)]
    if citation.section:
        levels = citation.section.split(SECTION_SEP)
        parts.append(shorten(levels[-1]))
    page = f"{citation.pages}，" if citation.page else ""
    return f"{SECTION_SEP.join(parts)}，{page}{citation.unit}"


def sentence_block(number: int, sentence: Sentence) -> str:
    """One numbered answer sentence followed by its source line."""
    return f"<b>[{number}]</b> {emphasize_figures(sentence.text)}\n<i>—— {escape(short_source(sentence.citation))}</i>"


def answer_html(sentences: Sequence[Sentence], first_number: int = 1, *, heading: str = "") -> str:
    """Numbered, cited sentences; ``heading`` (plain text) goes on top when given."""
    blocks = [sentence_block(first_number + i, s) for i, s in enumerate(sentences)]
    if heading:
        blocks.insert(0, f"<b>{escape(heading)}</b>")
    return "\n\n".join(blocks)


def understood_html(answer: Answer) -> str:
    """（按“…”理解）in italics above an answer to a rewritten follow-up, and how a relative year
    was read (（“去年”按2023年理解）); empty when neither applies."""
    lines = [understood_line(answer)] + ([f"（{answer.note}）"] if answer.note else [])
    shown = [escape(line) for line in lines if line]
    return "<i>" + "\n".join(shown) + "</i>\n\n" if shown else ""


def trend_html(sentences: Sequence[Sentence]) -> str:
    """One cited sentence per year, in year order, each led by its year."""
    blocks = [
        f"<b>[{n}] {escape(year_of(s))}</b> {emphasize_figures(s.text)}\n<i>—— {escape(short_source(s.citation))}</i>"
        for n, s in enumerate(sentences, 1)
    ]
    return "\n\n".join([f"<b>{escape(TREND_HEADING)}</b>"] + blocks)


def other_years_html(sentences: Sequence[Sentence]) -> str:
    """The best sentence of each other year, newest first, under 其他年份 (empty when none)."""
    if not sentences:
        return ""
    blocks = [
        f"· <b>{escape(year_of(s))}</b> {emphasize_figures(shorten(s.text))}\n"
        f"<i>—— {escape(short_source(s.citation))}</i>"
        for s in sentences
    ]
    return "\n\n" + "\n\n".join([f"<b>{escape(OTHER_YEARS_HEADING)}</b>"] + blocks)


def message_html(text: str) -> str:
    """A plain message (not answered, a hint) as Telegram HTML."""
    return escape(text)


def not_answered_html(message: str, closest: Sequence[Sentence]) -> str:
    """Not answered: the message, then the closest sentences under a heading that says they are not confirmed."""
    return message_html(message) + "\n\n" + answer_html(closest, heading=CLOSEST_HEADING)


def reply_html(answer: Answer) -> str:
    """The reply to a question: how it was understood, then the answer (a trend in year order,
    other years after it), the closest sentences marked as unconfirmed, or the message alone."""
    understood = understood_html(answer)
    if answer.answered:
        body = trend_html(answer.sentences) if answer.trend else answer_html(answer.sentences)
        return understood + body + other_years_html(answer.other_years)
    if answer.closest:
        return understood + not_answered_html(answer.message, answer.closest)
    return understood + message_html(answer.message)


def paragraph_html(paragraph: str, citation: Citation) -> str:
    """The whole paragraph around a cited sentence, the sentence in bold, then the full source."""
    lo = citation.start - citation.para_start
    hi = citation.end - citation.para_start
    if 0 <= lo <= hi <= len(paragraph):
        body = f"{escape(paragraph[:lo])}<b>{escape(paragraph[lo:hi])}</b>{escape(paragraph[hi:])}"
    else:
        body = escape(paragraph)
    return f"{body}\n\n<i>—— {escape(citation.label())}</i>\n<code>{escape(citation.path)}</code>"


def sources_html(documents: Sequence[Document]) -> str:
    """The list of indexed reports."""
    if not documents:
        return "目前没有收录任何报告。"
    lines = [f"<b>共收录 {len(documents)} 份报告：</b>"]
    for n, doc in enumerate(documents, 1):
        about = "，".join(filter(None, ["、".join(doc.places), "、".join(f"{y}年" for y in doc.years)]))
        line = f"{n}. {escape(doc.title)}"
        if about:
            line += f"（{escape(about)}）"
        lines.append(line)
    return "\n".join(lines)


def search_html(query: str, passages: Sequence[Passage]) -> str:
    """Top matching paragraphs for ``/search``."""
    if not passages:
        return f"没有找到与「{escape(query)}」相关的段落。"
    blocks = [f"<b>与「{escape(query)}」最相关的 {len(passages)} 个段落：</b>"]
    for n, passage in enumerate(passages, 1):
        text = " ".join(passage.text.split())
        if len(text) > MAX_SEARCH_PARAGRAPH:
            text = text[: MAX_SEARCH_PARAGRAPH - 1] + "…"
        blocks.append(f"<b>[{n}]</b> {escape(text)}\n<i>—— {escape(short_source(passage.citation))}</i>")
    return "\n\n".join(blocks)


def help_html(documents: Sequence[Document], examples: Sequence[str]) -> str:
    """What the bot knows, example questions and how citations work (for /start and /help)."""
    titles = [f"• {escape(shorten(d.title, 40))}" for d in documents[:8]]
    if len(documents) > 8:
        titles.append(f"• ……等共 {len(documents)} 份，发送 /sources 查看全部")
    lines = [
        "<b>你好！我可以回答关于这些工作报告的问题。</b>",
        f"目前收录 {len(documents)} 份报告：",
        *titles,
        "",
        "<b>怎么问：</b>直接发送问题即可，例如（点下面的按钮试试）：",
        *[f"• {escape(q)}" for q in examples],
        "",
        "<b>答案和出处：</b>我只摘录报告原文中的句子，每句下面标注出处（报告 › 章节，第几段）。"
        "点「原文 N」查看该句所在的整段，点「更多」查看其他结果。",
        "",
        "<b>命令：</b>",
        "/search 关键词 —— 查找相关段落",
        "/new —— 开始新的对话（可以接着追问，例如“那长葛呢？”“老师呢？”；发送 /new 后重新开始）",
        "/sources —— 列出收录的报告",
        "/help —— 显示本说明",
        "",
        "在群组中，请 @我 或回复我的消息来提问；在任意聊天输入框里输入 @我的用户名 加问题也能直接查询。",
    ]
    return "\n".join(lines)


# --- splitting -------------------------------------------------------------------------------
_TOKEN = re.compile(r"<[^>]*>|&[#\w]+;|[\s\S]", re.UNICODE)
_SENTENCE_END = set("。！？；!?;")
_SOFT_BREAK = set("，、,：: ")


def _tag_name(tag: str) -> str:
    match = re.match(r"</?\s*([A-Za-z0-9-]+)", tag)
    return match.group(1).lower() if match else ""


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _visible(html_text: str) -> bool:
    """Whether the HTML shows any non-blank character (Telegram refuses blank messages)."""
    return bool(html.unescape(re.sub(r"<[^>]*>", "", html_text)).strip())


def _open_tags(tokens: list[str]) -> list[tuple[tuple[str, str], ...]]:
    """The stack of open tags (name, opening tag) after each token (global: a cut closes and
    reopens the same tags)."""
    stacks: list[tuple[tuple[str, str], ...]] = []
    stack: list[tuple[str, str]] = []
    for tok in tokens:
        if tok.startswith("<") and len(tok) > 1:
            name = _tag_name(tok)
            if tok.startswith("</"):
                for i in range(len(stack) - 1, -1, -1):
                    if stack[i][0] == name:
                        del stack[i:]
                        break
            elif not tok.endswith("/>"):
                stack.append((name, tok))
        stacks.append(tuple(stack))
    return stacks


def split_html(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Cut balanced Telegram HTML into messages of at most ``limit`` UTF-16 units.

    Cuts fall at a line end if one is in the second half of the window, else at a sentence end,
    else after a comma or space, else anywhere between characters; never inside a tag or an
    entity. Tags open at a cut are closed at the end of one part and reopened in the next.
    """
    if utf16_len(text) <= limit:
        return [text] if _visible(text) else []
    tokens = _tokens(text)
    stacks = _open_tags(tokens)
    sizes = [utf16_len(t) for t in tokens]

    def opening(at: int) -> str:  # tags open before token ``at``
        return "".join(tag for _, tag in stacks[at - 1]) if at > 0 else ""

    def closing(after: int) -> str:  # tags open after token ``after``
        return "".join(f"</{name}>" for name, _ in reversed(stacks[after]))

    parts: list[str] = []
    start = 0
    while start < len(tokens):
        # Skip line breaks at the start of a part.
        while start < len(tokens) and tokens[start] == "\n":
            start += 1
        if start >= len(tokens):
            break
        head = opening(start)
        used = utf16_len(head)
        end = start  # exclusive
        best: dict[int, int] = {}
        while end < len(tokens):
            tail = utf16_len(closing(end))
            if used + sizes[end] + tail > limit:
                break
            used += sizes[end]
            tok = tokens[end]
            end += 1
            if tok.startswith("<") and len(tok) > 1 and not tok.startswith("</"):
                continue  # never end a part right after an opening tag
            rank = 3 if tok == "\n" else 2 if tok in _SENTENCE_END else 1 if tok in _SOFT_BREAK else 0
            best[rank] = end
        if end == len(tokens):
            cut = end
        else:
            half = start + (end - start) // 2
            fallback = max(best.values()) if best else end
            cut = next((best[r] for r in (3, 2, 1) if r in best and best[r] > half), fallback)
            if cut <= start:  # a single token larger than the limit: emit it alone
                cut = start + 1
        body = "".join(tokens[start:cut])
        part = (head + body + closing(cut - 1)).rstrip("\n")
        if _visible(part):
            parts.append(part)
        start = cut
    return parts
