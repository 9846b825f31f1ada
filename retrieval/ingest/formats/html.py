"""Web pages (.html, .htm): the charset, the article text, its title and publication data.

Charset: a byte-order mark, else ``<meta charset>`` or ``<meta http-equiv="Content-Type"
content="...; charset=...">`` in the first 4 KB (or an XHTML ``<?xml encoding=...?>``) (GB2312 and GBK are read as GB18030, their
superset), else strict UTF-8, else GB18030 or Big5 as for text files; a page with a few
damaged bytes (at most one per 1,000 characters) is read with them replaced, as browsers do.

Article text, with lxml (a documented rule rather than a general extractor; measured in
benchmarks/README.md):

1. ``script``, ``style``, ``noscript``, ``iframe``, ``form``, ``nav``, ``header`` (unless it
   holds the ``h1``: an article's own header), ``footer``, ``aside`` and comments are removed, and so is any element whose ``id`` or ``class`` names
   page chrome (nav, menu, breadcrumb/crumb/position/location, share, related/recommend,
   footer/copyright, comment, sidebar, toolbar, pager).
2. The article is the element holding the most text in its paragraph-like children
   (``p``, text between ``br``, and ``div``/``td``/``li`` holding no further blocks), measured
   as Chinese characters minus the characters inside links (link lists are navigation); an
   enclosing ``<article>`` or element named content/article/TRS_Editor is taken instead when
   it adds little text (the heading and the date line).
3. Its blocks become lines; empty lines and lines that are only link text are dropped.

Title: the ``h1`` (else the first ``h2``, else an element whose class names a title) nearest
the article; else the part of ``<title>`` (split at ``_ - | —``) that is printed as a line near
the top of the page, else its longest part — never the site name when the heading is printed.
发布时间 / 来源 are read from the page's text (``发布时间：2024-03-05``, ``来源：某某县教育局``)
and from ``<meta name="PubDate">`` style tags, and kept as metadata.

Limits: the parser is libxml2's, whose nesting depth is capped at 256 (a page that reaches the
cap is refused), the walk over the tree is iterative, and the file size is capped before
parsing (``max_file_mb``).
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from . import Extracted, ReadNotes
from .charset import decode_strict as _strict, decode_utf8_or_chinese
from .furniture import BLOCKS, close_tags_late, drop_furniture, image_tables, join_labels
from .html_tables import replace_tables
from .printed import drop_note_marks
from .tables import place_tables

_META_CHARSET = re.compile(rb"""<meta[^>]{0,500}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{2,40})""")
_MAX_REPLACED = 1000  # at most one undecodable byte in this many characters is tolerated
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]{0,200}\?>")
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "big5-hkscs": "big5hkscs",
    "x-big5": "big5",
    "utf8": "utf-8",
}
_CHROME = re.compile(
    r"nav|menu|crumb|breadcrumb|position|location|share|bdshare|related|recommend|xgwz|footer|"
    r"copyright|comment|sidebar|side-bar|toolbar|pager|pagination|login|search|banner|advert",
    re.I,
)
_REMOVE = (
    "script",
    "style",
    "noscript",
    "iframe",
    "form",
    "nav",
    "header",
    "footer",
    "aside",
    "button",
    "select",
    "textarea",
    "svg",
    "object",
    "embed",
)
# Where a line breaks: the text blocks (furniture.BLOCKS) and the layout ones around them.
_BLOCKS = BLOCKS | {"pre", "tr", "table", "ul", "ol", "br", "hr"}
# Children whose text counts towards their parent being the article: paragraphs, and blocks
# that hold no further blocks (a <div> or <td> used as a paragraph).
_PARAGRAPHS = {"p", "font", "span", "strong", "b", "pre", "blockquote"}
_LEAF_BLOCKS = {"div", "td", "li", "section", "dd"}
_CONTENT_NAME = re.compile(r"article|content|TRS_Editor|zoom|text|detail|main", re.I)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_DATE = re.compile(r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_PUBLISHED = re.compile(r"(?:发布|发表|成文|更新)?(?:时间|日期)[:：]\s*([^\s|]{0,4}\s*(?:19|20)\d\d[^\n|]{0,20})")
_SOURCE = re.compile(r"(?:(?:信息)?来源|发布机构)[:：]\s*([^\s|]{2,30})")
_TITLE_SPLIT = re.compile(r"_|\||-{1,2}|—{1,2}|－")  # parts are stripped


class HtmlProblem(Exception):
    """The page cannot be read; the message is for users (Chinese, one line)."""


def decode_html(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a web page's bytes."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return _strict(data, encoding), encoding
            except UnicodeDecodeError:
                raise HtmlProblem(f"网页带有 {encoding} 字节顺序标记，但内容无法按此编码解码") from None
    m = _META_CHARSET.search(data[:4096]) or _XML_ENCODING.search(data[:300])
    encoding = ""
    if m:
        name = m.group(1).decode("ascii", "replace").lower()
        encoding = _ALIASES.get(name, name)
        try:
            codecs.lookup(encoding)
        except LookupError:
            encoding = ""
        if encoding:
            try:
                return _strict(data, encoding), encoding
            except UnicodeDecodeError:
                pass  # the page lies about its charset: fall through to detection
    try:
        return decode_utf8_or_chinese(data)
    except UnicodeDecodeError:
        pass
    # A few damaged bytes (a browser shows them as �): the declared or the likeliest encoding,
    # with replacement characters, if they are rare; the text checks then judge the result.
    candidates = [encoding] if m and encoding else ["utf-8", "gb18030", "big5"]
    for name in candidates:
        text = data.decode(name, errors="replace")
        if text.count("\ufffd") <= max(2, len(text) // _MAX_REPLACED):
            return text, name
    raise HtmlProblem("无法识别网页的文字编码")


def _classes(el) -> str:
    return f"{el.get('id') or ''} {el.get('class') or ''}"


def _text_len(el) -> int:
    return len(_HAN.findall(el.text_content()))


def _link_len(el) -> int:
    return sum(len(_HAN.findall(a.text_content())) for a in el.iter("a"))


def read_html(data: bytes) -> Extracted:
    """The article of a web page; raises :class:`HtmlProblem` with a reason."""
    import lxml.html
    from lxml import etree

    text, _ = decode_html(data)
    text = _XML_DECLARATION.sub("", text.replace("\x00", ""), count=1)  # lxml refuses str with one
    text = close_tags_late(text)
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, huge_tree=False)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        raise HtmlProblem("网页内容为空或无法解析") from None
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        raise HtmlProblem("网页结构嵌套过深（超过解析器的 256 层上限），疑似恶意构造，已拒绝")
    meta = _page_meta(root)
    page_title = (root.findtext(".//title") or "").strip()
    _drop_chrome(root)
    body = root.find("body")
    if body is None:
        body = root
    article = _article(body)
    head_lines = join_labels(_lines(body, limit=40))
    title = _title(root, article) or _from_page_title(page_title, head_lines)
    pictures = image_tables(article)  # counted before the data tables become sentences
    tables = replace_tables(article)  # data tables become one sentence a row
    lines = join_labels(_lines(article))
    _meta_from_lines(meta, head_lines)
    # The date line under the heading is metadata, not report text.
    lines = drop_furniture(
        [
            ln
            for n, ln in enumerate(lines)
            if n >= 5 or len(ln) > 80 or not (_PUBLISHED.search(ln) or _SOURCE.search(ln))
        ]
    )
    if title and (not lines or lines[0] != title):
        lines.insert(0, title)
    out = "\n".join(lines).strip()
    if not _HAN.search("\n".join(lines[1:] if title else lines)):
        raise HtmlProblem("网页中没有找到正文")
    return Extracted(
        out + "\n",
        "html",
        title=title,
        meta=meta,
        tables=place_tables(out, tables),
        notes=ReadNotes(image_tables=pictures),
    )


def _drop_chrome(root) -> None:
    """Drop what is not the article: scripts, navigation, and elements named as page furniture."""
    for el in list(root.iter(*_REMOVE)):
        if el.tag == "header" and next(el.iter("h1"), None) is not None:
            continue  # an article's own header: its heading and date line
        _drop(el)
    for el in [
        el
        for el in root.iter()
        if isinstance(el.tag, str) and el.tag not in ("html", "body") and _CHROME.search(_classes(el))
    ]:
        if el.getparent() is not None and not _CONTENT_NAME.search(_classes(el)):
            _drop(el)


def _meta_from_lines(meta: dict, head_lines: list[str]) -> None:
    """Publication data printed on the page itself (a line under the title, usually), where the
    page's meta tags did not give it."""
    for line in head_lines:
        if "published" not in meta and (m := _PUBLISHED.search(line)) and (d := _DATE.search(m.group(1))):
            meta["published"] = _iso(d)
        if "source" not in meta and (m := _SOURCE.search(line)):
            meta["source"] = m.group(1)


def _drop(el) -> None:
    """Remove an element but keep the text that follows it (its tail)."""
    if el.getparent() is not None:
        el.drop_tree()


def _iso(m: re.Match) -> str:
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"


def _page_meta(root) -> dict[str, str]:
    meta: dict[str, str] = {}
    for el in root.iter("meta"):
        name = (el.get("name") or el.get("property") or "").lower()
        content = (el.get("content") or "").strip()
        if not content:
            continue
        if name in ("pubdate", "publishdate", "article:published_time", "firstpublishedtime") and (
            m := _DATE.search(content)
        ):
            meta.setdefault("published", _iso(m))
        elif name in ("contentsource", "source", "author") and len(content) <= 30:
            meta.setdefault("source", content)
    return meta


def _article(body):
    """The element holding the most non-link Chinese text in its direct blocks."""
    best, best_score = body, -1
    total = max(1, _text_len(body) - _link_len(body))
    for el in body.iter():
        if not isinstance(el.tag, str) or el.tag in ("a", "span", "font", "strong", "b", "em"):
            continue
        own = 0
        for child in el:
            if not isinstance(child.tag, str):
                continue
            if child.tag in _PARAGRAPHS or (
                child.tag in _LEAF_BLOCKS
                and not any(isinstance(g.tag, str) and g.tag in _BLOCKS for g in child.iterdescendants())
            ):
                own += _text_len(child) - _link_len(child)
        own += len(_HAN.findall(el.text or ""))
        for child in el:
            own += len(_HAN.findall(child.tail or ""))
        if own > best_score:
            best, best_score = el, own
    # Prefer a named container (article, content, TRS_Editor…) that holds most of the text.
    node = best
    while node is not None and node is not body:
        if (node.tag == "article" or _CONTENT_NAME.search(_classes(node))) and _text_len(node) - _link_len(
            node
        ) <= 1.2 * max(best_score, 1) + 50:
            best = node
        node = node.getparent()
    return best if best_score > 0 or total <= 1 else body


def _from_page_title(page_title: str, head_lines: list[str]) -> str:
    """The article's part of ``<title>`` ("文章 _ 网站" or "网站 - 文章"): the part printed
    as a line near the top of the page, else the longest part."""
    parts = [p.strip() for p in _TITLE_SPLIT.split(page_title) if p.strip()]
    if not parts:
        return ""
    printed = [p for p in parts if p in head_lines]
    return max(printed or parts, key=len)


def _title(root, article) -> str:
    node = article
    while node is not None:
        for tag in ("h1", "h2"):
            for h in node.iter(tag):
                text = re.sub(r"\s+", " ", _heading_text(h)).strip()
                if text and _HAN.search(text):
                    return text
        node = node.getparent()
    for el in root.iter():
        if isinstance(el.tag, str) and re.search(r"title", _classes(el), re.I):
            text = re.sub(r"\s+", " ", el.text_content()).strip()
            if 4 <= len(text) <= 80 and _HAN.search(text):
                return text
    return ""


def _heading_text(h) -> str:
    """A heading's own words: without a date line or tools nested in it (``<small>``, ``<div>``)."""
    own = [h.text or ""]
    for child in h:
        if isinstance(child.tag, str) and child.tag not in ("small", "div", "span", "p", "ul", "time"):
            own.append(child.text_content())
        own.append(child.tail or "")
    text = "".join(own)
    return text if _HAN.search(text) else h.text_content()


def _lines(el, limit: int | None = None) -> list[str]:
    """The text of ``el`` as lines: one per block element or ``<br>``, without link-only lines;
    with ``limit``, about the first ``limit`` lines only."""
    parts: list[str] = []
    links: set[str] = set()
    stack: list[tuple[Any, bool]] = [(el, False)]  # lxml elements (lxml has no type information)
    blocks = 0
    # Iterative walk: deep nesting never reaches Python's recursion limit.
    while stack:
        if limit is not None and blocks > 2 * limit:
            break
        node, closing = stack.pop()
        if closing:
            if node.tag in _BLOCKS:
                parts.append("\n")
            if node.tail:
                parts.append(node.tail)
            continue
        if not isinstance(node.tag, str):
            if node.tail:
                parts.append(node.tail)
            continue
        if node.tag in _BLOCKS:
            parts.append("\n")
            blocks += 1
        if node.tag == "a":
            link = re.sub(r"\s+", "", node.text_content())
            if link:
                links.add(link)
        if node.text:
            parts.append(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    lines = []
    for line in "".join(parts).split("\n")[:limit]:
        line = drop_note_marks(re.sub(r"[ \t\r\f\v\u00a0]+", " ", line)).strip()
        line = line.replace("\u3000", " ").strip() if not line.startswith("\u3000") else line.strip("\u3000 ")
        if not line or re.sub(r"\s+", "", line) in links:
            continue
        lines.append(line)
    return lines


def _read(data: bytes, settings) -> Extracted:
    from . import UnreadableFile

    try:
        return read_html(data)
    except HtmlProblem as exc:
        raise UnreadableFile(str(exc)) from None


from .registry import Format  # noqa: E402  (the registry entry, kept at the end)

FORMAT = Format("html", (".html", ".htm"), "网页", _read)
