"""Word documents (.docx): the paragraph texts of ``word/document.xml``, one per line, and its
tables one sentence a row (:mod:`.docx_tables`).

The archive is checked before anything is unpacked (zip bombs), and the XML is parsed without
DTDs or entities (see :func:`read_docx`).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from . import Extracted, UnreadableFile
from .docx_tables import paragraph_text, read_docx_body
from .registry import Format

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(source: Path | bytes, max_xml_bytes: int) -> str:
    """Paragraph texts of a .docx (a path or its bytes), one per line; tables one sentence a row."""
    return read_docx_extracted(source, max_xml_bytes).text


def read_docx_extracted(source: Path | bytes, max_xml_bytes: int) -> Extracted:
    """Text and tables of a .docx (a path or its bytes): paragraphs one per line, tables one
    sentence a row (:mod:`.docx_tables`).

    The archive is checked before anything is unpacked: a ``word/document.xml`` whose declared
    size exceeds ``max_xml_bytes`` (a zip bomb) is refused without being inflated, and at most
    ``max_xml_bytes + 1`` bytes are ever inflated, so a header that lies about the size is caught
    too. The XML is parsed without DTDs, so no entity is ever declared or resolved.
    """
    xml = _document_xml(source, max_xml_bytes)
    try:
        tree = SafeET.fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise UnreadableFile(".docx 含有 DTD 或实体声明，出于安全原因已拒绝") from None
    except (SafeET.ParseError, ValueError) as exc:
        raise UnreadableFile(f".docx 的 XML 已损坏（{exc}）") from None
    from lxml.etree import XMLSyntaxError

    try:
        return read_docx_body(xml)  # python-docx's parser: entities are never resolved
    except XMLSyntaxError:  # past libxml2's limits (nesting deeper than 256): paragraphs only
        return Extracted("\n".join(paragraph_text(p) for p in tree.iter(f"{_W}p")), "docx")


def _document_xml(source: Path | bytes, max_xml_bytes: int) -> bytes:
    """The bytes of ``word/document.xml``, inflated only within ``max_xml_bytes``."""
    limit_mb = max(1, max_xml_bytes // 2**20)
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as archive:
            try:
                info = archive.getinfo("word/document.xml")
            except KeyError:
                raise UnreadableFile("不是有效的 .docx 文件（缺少 word/document.xml）") from None
            if info.file_size > max_xml_bytes:
                raise UnreadableFile(
                    f".docx 解压后过大（{info.file_size // 2**20} MB，上限 {limit_mb} MB，"
                    "设置 max_docx_xml_mb），疑似压缩炸弹，已拒绝"
                )
            with archive.open(info) as member:
                xml = member.read(max_xml_bytes + 1)
            if len(xml) > max_xml_bytes:
                raise UnreadableFile(
                    f".docx 解压后超过上限 {limit_mb} MB（文件头声明的大小不实），疑似压缩炸弹，已拒绝"
                )
    except zipfile.BadZipFile:
        raise UnreadableFile("不是有效的 .docx 文件（压缩包损坏或被截断）") from None
    except (zlib.error, EOFError, struct.error, ValueError, OSError):
        raise UnreadableFile("不是有效的 .docx 文件（压缩数据损坏）") from None
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError):
        raise UnreadableFile("无法解压 .docx（加密或使用了不支持的压缩方式）") from None
    return xml


def _read(data: bytes, settings: Mapping[str, Any]) -> Extracted:
    return read_docx_extracted(data, int(float(settings["max_docx_xml_mb"]) * 2**20))


FORMAT = Format(
    "docx",
    (".docx",),
    "Word 文档",
    _read,
    magic=lambda data: data.startswith(b"PK"),
    magic_name="压缩包或 Office 文档（Word 文档的扩展名是 .docx）",
)
