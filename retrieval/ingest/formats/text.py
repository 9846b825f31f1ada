"""Plain text (.txt) and Markdown (.md): BOMs, then strict UTF-8, then GB18030 or Big5."""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from typing import Any

from . import Extracted, UnreadableFile
from .charset import decode_strict, decode_utf8_or_chinese
from .printed import join_broken_parentheses, join_spaced_years
from .registry import Format

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode report bytes: BOMs first, then strict UTF-8, then GB18030 or Big5 (whichever reads
    as the more likely Chinese, see :mod:`retrieval.ingest.formats.charset`). Returns (text, encoding).

    Decoding is strict except at the very end: a character cut in half by truncation (a partial
    copy or download) is dropped, so the rest of the file is still read.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return decode_strict(data, encoding), encoding
            except UnicodeDecodeError:
                raise UnreadableFile(f"带有 {encoding} 字节顺序标记，但内容无法按此编码解码") from None
    if b"\x00" in data[:4096]:
        raise UnreadableFile("看起来是二进制文件，不是文本")
    try:
        return decode_utf8_or_chinese(data)
    except UnicodeDecodeError:
        raise UnreadableFile("无法识别文本编码（既不是 UTF-8/UTF-16，也不是 GBK/GB18030/Big5）") from None


def _read_txt(data: bytes, settings: Mapping[str, Any]) -> Extracted:
    return Extracted(join_broken_parentheses(join_spaced_years(decode_bytes(data)[0])), "txt")


def _read_md(data: bytes, settings: Mapping[str, Any]) -> Extracted:
    return Extracted(join_broken_parentheses(join_spaced_years(decode_bytes(data)[0])), "md")


TXT = Format("txt", (".txt",), "纯文本", _read_txt)
MD = Format("md", (".md",), "Markdown 文本", _read_md)
