"""Finding report files, decoding them, and reading what they say about themselves.

Every reader returns the decoded text with line endings untouched; offsets everywhere else
in the engine point into that text. A file that cannot be read becomes a :class:`Skipped`
with a reason in Chinese; nothing here raises for a bad file.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import io
import os
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from config import Settings

from .formats import Extracted
from .formats.charset import decode_chinese, likely_share
from ..types import Skipped

SUPPORTED = {".txt", ".md", ".docx", ".pdf", ".html", ".htm"}
# Formats that are recognised but not read: skipped with advice instead of silently.
ADVISED = {
    ".doc": "旧版 Word 文档（.doc）无法读取，请在 Word 或 WPS 中另存为 .docx 后再放入文件夹",
    ".wps": "WPS 文字文档（.wps）无法读取，请在 WPS 中另存为 .docx 后再放入文件夹",
}


class UnreadableFile(Exception):
    """The file cannot be turned into text; the message says why, for users."""


@dataclass(frozen=True)
class SourceFile:
    path: Path  # absolute
    rel: str  # relative to the corpus root, POSIX separators
    size: int
    mtime_ns: int


def discover(root: Path) -> tuple[list[SourceFile], list[Skipped]]:
    """Supported files under ``root``, recursively, sorted; symlinks never lead outside ``root``.

    Symlinks inside ``root`` are followed; a folder reached a second time (a symlink loop or
    two links to one folder) is read once and the other path is reported as skipped.
    """
    walk = _Walk(root.resolve())
    walk.folder(walk.root)
    return walk.found, walk.skipped


class _Walk:
    """One walk of a corpus folder: files found, what was skipped and why, folders already read."""

    def __init__(self, root: Path):
        self.root = root
        self.found: list[SourceFile] = []
        self.skipped: list[Skipped] = []
        self.seen_dirs: dict[tuple[int, int], str] = {}

    def folder(self, folder: Path) -> None:
        """Read ``folder``'s entries in name order, unless it was read already."""
        rel_folder = _rel(folder, self.root)
        try:
            st = folder.stat()
        except OSError as exc:
            self.skipped.append(Skipped(rel_folder, f"无法读取文件夹（{os_reason(exc)}）"))
            return
        key = (st.st_dev, st.st_ino)
        if key in self.seen_dirs:  # a symlink loop, or a second link to a folder already read
            first = self.seen_dirs[key] if self.seen_dirs[key] != "." else "（语料文件夹本身）"
            self.skipped.append(Skipped(rel_folder, f"与已读取的文件夹 {first} 相同（符号链接循环或重复），已跳过"))
            return
        self.seen_dirs[key] = rel_folder
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.skipped.append(Skipped(rel_folder, f"无法读取文件夹（{os_reason(exc)}）"))
            return
        names = {e.name for e in entries}
        for entry in entries:
            if not entry.name.startswith(".") and not _page_resources(entry.name, names):
                self.entry(entry)

    def entry(self, entry: os.DirEntry) -> None:
        """One folder entry: a folder is walked, a supported file is found; a symlink leading
        outside the corpus, an unreadable entry or an advised-against format is skipped."""
        path = Path(entry.path)
        rel = _rel(path, self.root)
        try:
            if entry.is_symlink():
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError):
                    self.skipped.append(Skipped(rel, "符号链接无效或循环，已跳过"))
                    return
                if target != self.root and self.root not in target.parents:
                    self.skipped.append(Skipped(rel, "符号链接指向语料文件夹之外，已跳过"))
                    return
            if entry.is_dir():
                self.folder(path)
                return
            if not entry.is_file():  # FIFOs, sockets, devices: never opened
                return
            if path.suffix.lower() in ADVISED:
                self.skipped.append(Skipped(rel, ADVISED[path.suffix.lower()]))
                return
            if path.suffix.lower() not in SUPPORTED:
                return
            st = path.stat()
        except OSError as exc:
            self.skipped.append(Skipped(rel, f"无法读取（{os_reason(exc)}）"))
            return
        self.found.append(SourceFile(path, rel, st.st_size, st.st_mtime_ns))


def _page_resources(name: str, siblings: set[str]) -> bool:
    """Whether ``name`` is the folder a browser saves a web page's images, scripts and frames
    in (``报告_files`` beside ``报告.html``): never a report of its own."""
    for suffix in ("_files", ".files"):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            return any(f"{stem}{ext}" in siblings for ext in (".html", ".htm", ".HTML", ".HTM"))
    return False


_ERRNO_REASONS = {
    errno.EACCES: "没有读取权限",
    errno.EPERM: "没有读取权限",
    errno.ENOENT: "文件已不存在",
    errno.ELOOP: "符号链接循环",
    errno.EISDIR: "是文件夹，不是文件",
    errno.EIO: "磁盘读取出错",
    errno.ENAMETOOLONG: "路径过长",
}


def os_reason(exc: OSError) -> str:
    """A short Chinese reason for an operating-system error, for users."""
    reason = _ERRNO_REASONS.get(exc.errno or 0)
    if reason:
        return reason
    return f"系统错误：{exc.strerror}" if exc.strerror else f"系统错误：{type(exc).__name__}"


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


# --- decoding -----------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode report bytes: BOMs first, then strict UTF-8, then GB18030 or Big5 (whichever reads
    as the more likely Chinese, see :mod:`retrieval.ingest.formats.charset`). Returns (text, encoding).

    Decoding is strict except at the very end: a character cut in half by truncation (a partial
    copy or download) is dropped, so the rest of the file is still read.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _decode(data, encoding), encoding
            except UnicodeDecodeError:
                raise UnreadableFile(f"带有 {encoding} 字节顺序标记，但内容无法按此编码解码") from None
    if b"\x00" in data[:4096]:
        raise UnreadableFile("看起来是二进制文件，不是文本")
    try:
        return _decode(data, "utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return decode_chinese(data, _decode)
    except UnicodeDecodeError:
        raise UnreadableFile("无法识别文本编码（既不是 UTF-8/UTF-16，也不是 GBK/GB18030/Big5）") from None


def _decode(data: bytes, encoding: str) -> str:
    """Strict decoding that leaves out an incomplete character at the end of ``data``."""
    return codecs.getincrementaldecoder(encoding)(errors="strict").decode(data, final=False)


def _looks_like_text(text: str) -> bool:
    sample = text[:20000]
    if not sample.strip():
        return False
    bad = len(_CONTROL.findall(sample))
    return bad <= max(2, len(sample) // 100)


# --- .docx ----------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(source: Path | bytes, max_xml_bytes: int) -> str:
    """Paragraph texts of a .docx (a path or its bytes), one per line.

    The archive is checked before anything is unpacked: a ``word/document.xml`` whose declared
    size exceeds ``max_xml_bytes`` (a zip bomb) is refused without being inflated, and at most
    ``max_xml_bytes + 1`` bytes are ever inflated, so a header that lies about the size is caught
    too. The XML is parsed without DTDs, so no entity is ever declared or resolved.
    """
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
                    "设置 max_docx_xml_mb），疑似压缩炸弹，已拒绝")
            with archive.open(info) as member:
                xml = member.read(max_xml_bytes + 1)
            if len(xml) > max_xml_bytes:
                raise UnreadableFile(
                    f".docx 解压后超过上限 {limit_mb} MB（文件头声明的大小不实），疑似压缩炸弹，已拒绝")
    except zipfile.BadZipFile:
        raise UnreadableFile("不是有效的 .docx 文件（压缩包损坏或被截断）") from None
    except (zlib.error, EOFError, struct.error, ValueError, OSError):
        raise UnreadableFile("不是有效的 .docx 文件（压缩数据损坏）") from None
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError):
        raise UnreadableFile("无法解压 .docx（加密或使用了不支持的压缩方式）") from None
    try:
        tree = SafeET.fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise UnreadableFile(".docx 含有 DTD 或实体声明，出于安全原因已拒绝") from None
    except (SafeET.ParseError, ValueError) as exc:
        raise UnreadableFile(f".docx 的 XML 已损坏（{exc}）") from None
    lines: list[str] = []
    for para in tree.iter(f"{_W}p"):
        parts: list[str] = []
        for node in para.iter():
            if node.tag == f"{_W}t" and node.text:
                parts.append(node.text)
            elif node.tag == f"{_W}tab":
                parts.append("\t")
            elif node.tag in (f"{_W}br", f"{_W}cr"):
                parts.append(" ")
        lines.append("".join(parts))
    return "\n".join(lines)


def _read_capped(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file, refusing it if it holds more than ``max_bytes``.

    Opened without blocking and checked with ``fstat``, so a file swapped for a FIFO or a device
    after discovery is refused instead of hanging; at most ``max_bytes + 1`` bytes are read, so
    a file that grew after discovery cannot exhaust memory.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise UnreadableFile(f"无法读取（{os_reason(exc)}）") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnreadableFile("不是普通文件，已跳过")
        if st.st_size > max_bytes:
            raise UnreadableFile(_too_big(st.st_size, max_bytes))
        chunks: list[bytes] = []
        remaining = max_bytes + 1
        while remaining > 0:
            block = os.read(fd, min(remaining, 2**20 * 8))
            if not block:
                break
            chunks.append(block)
            remaining -= len(block)
    except OSError as exc:
        raise UnreadableFile(f"无法读取（{os_reason(exc)}）") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise UnreadableFile(_too_big(len(data), max_bytes))
    return data


def _too_big(size: int, max_bytes: int, setting: str = "max_file_mb") -> str:
    return (f"文件过大（{size / 2**20:.0f} MB，上限 {max_bytes // 2**20} MB，"
            f"可在设置 {setting} 中调整）")


# Limits of the format readers when the caller's settings do not name them (tests, tools):
# the defaults of config.Settings (the shipped values are in config/settings.toml).
FORMAT_DEFAULTS = {name: getattr(Settings, name)
                   for name in ("max_pdf_mb", "max_pdf_pages", "max_extract_seconds", "min_likely_share",
                                "pdf_short_line", "pdf_paragraph_gap", "pdf_repeat_share",
                                "pdf_spaced_share", "pdf_cell_gap", "ocr", "max_ocr_seconds")}


def read_text(source: SourceFile, max_file_bytes: int, max_docx_xml_bytes: int) -> tuple[str, str]:
    """Decoded text of a file and its SHA-256. Raises :class:`UnreadableFile`."""
    extracted, digest = read_source(source, {"max_file_mb": max_file_bytes / 2**20,
                                             "max_docx_xml_mb": max_docx_xml_bytes / 2**20})
    return extracted.text, digest


def read_source(source: SourceFile, params: dict) -> tuple[Extracted, str]:
    """What a file says (see :class:`Extracted`) and its SHA-256. Raises :class:`UnreadableFile`.

    ``params`` are the index settings: ``max_file_mb``, ``max_docx_xml_mb`` and, with defaults
    from :data:`FORMAT_DEFAULTS`, ``max_pdf_mb``, ``max_pdf_pages``, ``max_extract_seconds``,
    ``min_likely_share`` and the PDF layout thresholds.
    """
    limits = {**FORMAT_DEFAULTS, **params}
    suffix = source.path.suffix.lower()
    # A PDF's size is mostly pictures and fonts, not text: it has a limit of its own.
    setting = "max_pdf_mb" if suffix == ".pdf" else "max_file_mb"
    max_file_bytes = int(limits[setting] * 2**20)
    if source.size > max_file_bytes:
        raise UnreadableFile(_too_big(source.size, max_file_bytes, setting))
    try:
        data = _read_capped(source.path, max_file_bytes)
    except UnreadableFile as exc:
        raise UnreadableFile(str(exc).replace("max_file_mb", setting)) from None
    if not data:
        raise UnreadableFile("空文件")
    digest = hashlib.sha256(data).hexdigest()
    if suffix == ".docx":
        if not data.startswith(b"PK"):
            raise UnreadableFile("扩展名是 .docx，但内容不是 Word 文档")
        extracted = Extracted(read_docx(data, int(limits["max_docx_xml_mb"] * 2**20)), "docx")
    elif suffix == ".pdf":
        extracted = _read_pdf(data, limits, source.path.stem)
    elif suffix in (".html", ".htm"):
        extracted = _read_html(data)
    else:
        if data.startswith(b"PK\x03\x04"):
            raise UnreadableFile("扩展名是文本，但内容是压缩包或 Office 文档")
        if data.startswith(b"%PDF-"):
            raise UnreadableFile("扩展名是文本，但内容是 PDF（请把扩展名改为 .pdf）")
        extracted = Extracted(decode_bytes(data)[0], "md" if suffix == ".md" else "txt")
    text = extracted.text
    if not text.strip():
        raise UnreadableFile("没有可读的文字")
    if not _looks_like_text(text):
        raise UnreadableFile("内容含有大量控制字符，不像文本")
    share = likely_share(text)
    if share < limits["min_likely_share"]:
        if extracted.format == "pdf":
            raise UnreadableFile(f"PDF 提取出的文字大多是乱码（常用字仅占 {share:.0%}），字体缺少文字映射，"
                                 "已跳过；可用原始文档重新导出 PDF，或做文字识别（OCR）")
        raise UnreadableFile(f"解码后的文字大多是生僻字或乱码（常用字仅占 {share:.0%}），"
                             "编码可能无法识别，已跳过以免检索到乱码")
    return extracted, digest


def _read_pdf(data: bytes, limits: dict, name: str) -> Extracted:
    from .formats.pdf import PdfProblem, read_pdf_with

    if b"%PDF-" not in data[:1024]:
        raise UnreadableFile("扩展名是 .pdf，但内容不是 PDF 文件")
    try:
        return read_pdf_with(data, limits, name)
    except PdfProblem as exc:
        raise UnreadableFile(str(exc)) from None


def _read_html(data: bytes) -> Extracted:
    from .formats.html import HtmlProblem, read_html

    if data.startswith((b"PK\x03\x04", b"%PDF-")):
        raise UnreadableFile("扩展名是网页，但内容是压缩包、Office 文档或 PDF")
    try:
        return read_html(data)
    except HtmlProblem as exc:
        raise UnreadableFile(str(exc)) from None


# --- boilerplate and metadata ----------------------------------------------------------------
