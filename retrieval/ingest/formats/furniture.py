"""Web page furniture: what a government site prints around an article and is not the report.

- :func:`close_tags_late`: a page that closes ``</html>`` or ``</body>`` in its header (saved
  pages and some site templates do) would end there for libxml2; the closing tags are dropped
  so the whole page is parsed (the parser closes what is open at the end).
- :func:`join_labels`: the information-disclosure block of gov.cn pages prints each label on a
  line of its own and the value on the next (``发文日期：`` / ``2023-04-18``); they are joined
  so the publication date and issuer are read like ``发布时间：…`` lines.
- :func:`drop_furniture`: lines that are the page's tools (打印, 字体：大 中 小, 分享,
  扫一扫在手机打开当前页面, 【关闭窗口】, 访问量：123), its disclosure index (索引号, 公开方式,
  公开范围 …) and empty labels (附件：) are dropped.
- :func:`image_tables`: tables printed as pictures (a ``表3 …`` caption followed by an image
  and no ``<table>``) are counted, so the index can say they were not read.
"""

from __future__ import annotations

import re

_LATE_CLOSE = re.compile(r"</\s*(?:html|body)\s*>", re.I)
_LABEL_ONLY = re.compile(r"^[\u4e00-\u9fff](?:[\u4e00-\u9fff]|\s){0,9}[:：]$")
# Labels of the disclosure index printed above gov.cn articles, with their values.
_INDEX_LABEL = re.compile(
    r"^(?:索\s*引\s*号|主\s*题\s*分\s*类|发\s*布\s*机\s*构|发文机关|文\s*号|发文字号|公开方式|公开时限|"
    r"公开范围|公开形式|公开属性|有\s*效\s*性|分\s*类|访\s*问\s*量|浏览量|点击数|关联稿件|体裁分类)"
    r"\s*[:：]"
)
_TOOLS = re.compile(
    r"^(?:【[^】]{1,8}】\s*)+$"  # 【打印】【关闭窗口】【返回顶部】
    r"|^(?:打印(?:本页|此页)?|关闭(?:窗口|本页)?|返回顶部|收藏(?:本页)?|分享(?:到)?|打印本文|上一篇|下一篇|"
    r"纠错|我要纠错|附件)\s*[:：]?$"
    r"|^(?:字体|字号)\s*[:：]?\s*(?:[【\[]?[大中小][】\]]?\s*)*$"
    r"|^扫一扫(?:在手机|用手机)?(?:上)?(?:打开|浏览)?(?:当前页(?:面)?)?$"
    r"|^(?:分享到|分享)\s*[:：].{0,20}$"
)
_TABLE_CAPTION = re.compile(r"^(?:附?表|表格)\s*[0-9０-９一二三四五六七八九十]+")
# The block elements of a web page that hold a line of text: the one list of HTML block tags
# (html.py breaks lines at these and at the layout blocks it adds; a table caption is one more
# place a caption of a table printed as a picture stands).
BLOCKS = frozenset(
    {"p", "div", "td", "th", "li", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"section", "article", "blockquote", "center", "dd", "dt"}
)
_CAPTION_BLOCKS = BLOCKS | {"caption"}


def close_tags_late(text: str) -> str:
    """The page without its ``</html>`` and ``</body>`` tags (wherever they stand)."""
    return _LATE_CLOSE.sub("", text)


def join_labels(lines: list[str]) -> list[str]:
    """A label alone on its line (``发文日期：``) joined with the value on the next line."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if (
            _LABEL_ONLY.match(line)
            and not _TOOLS.match(line)
            and i + 1 < len(lines)
            and len(lines[i + 1]) <= 40
            and not _LABEL_ONLY.match(lines[i + 1])
            and not is_furniture(lines[i + 1])
        ):
            out.append(line + lines[i + 1])
            i += 2
            continue
        out.append(line)
        i += 1
    return out


def is_furniture(line: str) -> bool:
    """Whether a whole line is page furniture (tools, the disclosure index)."""
    line = line.strip()
    return bool(_TOOLS.match(line) or (_INDEX_LABEL.match(line) and len(line) <= 60))


def drop_furniture(lines: list[str]) -> list[str]:
    """``lines`` without page furniture."""
    return [line for line in lines if not is_furniture(line)]


def image_tables(article) -> int:
    """How many tables of the article are printed as pictures: a caption (表1 …) followed by
    an image, with no ``<table>`` between them."""
    count, caption = 0, ""
    for el in article.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag == "table":
            caption = ""
        elif el.tag == "img":
            if _TABLE_CAPTION.match(caption):
                count += 1
            caption = ""
        elif el.tag in _CAPTION_BLOCKS:
            text = re.sub(r"\s+", "", el.text_content())
            if _TABLE_CAPTION.match(text) and len(text) <= 60:
                caption = text
            elif len(text) > 60:  # prose between a caption and an image: not that table's
                caption = ""
    return count
