"""Decoding bytes without a BOM (retrieval/ingest/formats/charset.py): strict UTF-8, else GB18030
or Big5, whichever reads as the likelier Chinese; the one rule of text files and web pages."""

from __future__ import annotations

import pytest

from retrieval.ingest.formats.charset import decode_strict, decode_utf8_or_chinese


@pytest.mark.parametrize(
    "text, encoding, read_as",
    [
        ("古丈县教育体育局工作总结", "utf-8", "utf-8"),
        ("古丈县教育体育局工作总结", "gb18030", "gb18030"),
        ("古丈縣教育體育局工作總結", "big5", "cp950"),
    ],
)
def test_utf8_first_then_the_likelier_chinese_encoding(text: str, encoding: str, read_as: str):
    assert decode_utf8_or_chinese(text.encode(encoding)) == (text, read_as)


def test_bytes_no_encoding_reads_raise():
    with pytest.raises(UnicodeDecodeError):
        decode_utf8_or_chinese(b"\xff\xff\xff\xff")


def test_a_character_cut_at_the_end_is_left_out():
    data = "教育局".encode()
    assert decode_strict(data[:-1], "utf-8") == "教育"
    with pytest.raises(UnicodeDecodeError):
        decode_strict(b"\xff" + data, "utf-8")
