"""A checker for the subset of HTML that Telegram's ``parse_mode=HTML`` accepts."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

ALLOWED = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "span",
    "tg-spoiler",
    "blockquote",
    "tg-emoji",
}
ENTITIES = {"lt", "gt", "amp", "quot"}
LIMIT = 4096


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in ALLOWED:
            self.problems.append(f"tag <{tag}> not allowed")
        if tag == "span" and dict(attrs).get("class") != "tg-spoiler":
            self.problems.append("<span> without class tg-spoiler")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.problems.append(f"self-closing <{tag}/> not allowed")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unbalanced </{tag}> (open: {self.stack})")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        for ch in "<>&":
            if ch in data:
                self.problems.append(f"raw {ch!r} in text: {data[:40]!r}")
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in ENTITIES:
            self.problems.append(f"entity &{name}; not supported")
        self.text.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.text.append(html.unescape(f"&#{name};"))

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment not allowed")


def problems(text: str) -> list[str]:
    """What is wrong with ``text`` as one Telegram HTML message (empty if nothing)."""
    checker = _Checker()
    checker.feed(text)
    checker.close()
    found = list(checker.problems)
    if checker.rawdata:
        found.append(f"unparsed rest: {checker.rawdata[:40]!r}")
    if checker.stack:
        found.append(f"unclosed tags: {checker.stack}")
    if len(text.encode("utf-16-le")) // 2 > LIMIT:
        found.append(f"longer than {LIMIT}")
    if re.search(r"&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)", text):
        found.append("bare & in text")
    return found


def plain(text: str) -> str:
    """The text a reader sees (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]*>", "", text))
