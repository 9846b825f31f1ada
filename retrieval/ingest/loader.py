"""Finding report files, decoding them, and reading what they say about themselves.

Every reader returns the decoded text with line endings untouched; offsets everywhere else
in the engine point into that text. A file that cannot be read becomes a :class:`Skipped`
with a reason in Chinese; nothing here raises for a bad file.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from config import Settings

from ..types import Skipped
from .formats import Extracted, UnreadableFile
from .formats.charset import likely_share
from .formats.registry import for_path

__all__ = ["SourceFile", "UnreadableFile", "discover", "read_source", "read_text"]


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
            fmt = for_path(path)
            if fmt is None:
                return
            if fmt.read is None:  # recognised but not read: skipped with advice
                self.skipped.append(Skipped(rel, fmt.advice))
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


# --- reading ---------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def _looks_like_text(text: str) -> bool:
    sample = text[:20000]
    if not sample.strip():
        return False
    bad = len(_CONTROL.findall(sample))
    return bad <= max(2, len(sample) // 100)


def _read_capped(path: Path, max_bytes: int, setting: str = "max_file_mb") -> bytes:
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
            raise UnreadableFile(_too_big(st.st_size, max_bytes, setting))
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
        raise UnreadableFile(_too_big(len(data), max_bytes, setting))
    return data


def _too_big(size: int, max_bytes: int, setting: str = "max_file_mb") -> str:
    return f"文件过大（{size / 2**20:.0f} MB，上限 {max_bytes // 2**20} MB，可在设置 {setting} 中调整）"


@functools.cache
def format_defaults() -> Mapping[str, Any]:
    """Settings of the format readers when the caller's do not name them (tests, tools): the
    defaults of config.Settings (the shipped values are in config/settings.toml), worked out when
    first needed and read-only."""
    return MappingProxyType(Settings().index_params())


def read_text(source: SourceFile, max_file_bytes: int, max_docx_xml_bytes: int) -> tuple[str, str]:
    """Decoded text of a file and its SHA-256. Raises :class:`UnreadableFile`."""
    extracted, digest = read_source(
        source, {"max_file_mb": max_file_bytes / 2**20, "max_docx_xml_mb": max_docx_xml_bytes / 2**20}
    )
    return extracted.text, digest


# Typographic spaces (en, em, thin … U+2000–U+200A, U+202F, U+205F) read as a plain space, one
# character for one so that every offset holds: an outline heading indented with em spaces
# (\u2003\u2003一、2024年工作回顾) is a heading like any other.
_SPACES = {code: " " for code in (*range(0x2000, 0x200B), 0x202F, 0x205F)}


def read_source(source: SourceFile, params: dict) -> tuple[Extracted, str]:
    """What a file says (see :class:`Extracted`) and its SHA-256. Raises :class:`UnreadableFile`.

    ``params`` are the index settings (defaults from :func:`format_defaults`); the file's
    format (:mod:`retrieval.ingest.formats.registry`) names the one that caps its size.
    """
    limits = {**format_defaults(), **params}
    fmt = for_path(source.path)
    if fmt is None or fmt.read is None:
        raise UnreadableFile(fmt.advice if fmt else "不支持的文件格式")
    setting = fmt.limit
    max_file_bytes = int(float(limits[setting]) * 2**20)
    if source.size > max_file_bytes:
        raise UnreadableFile(_too_big(source.size, max_file_bytes, setting))
    data = _read_capped(source.path, max_file_bytes, setting)
    if not data:
        raise UnreadableFile("空文件")
    digest = hashlib.sha256(data).hexdigest()
    fmt.check_content(source.path.suffix.lower(), data)
    extracted = fmt.read(data, {**limits, "file_name": source.path.stem})
    extracted.text, extracted.title = extracted.text.translate(_SPACES), extracted.title.translate(_SPACES)
    _check_text(extracted, float(limits["min_likely_share"]))
    return extracted, digest


def _check_text(extracted: Extracted, min_likely_share: float) -> None:
    """Refuse text that is empty, mostly control characters or mostly mojibake."""
    text = extracted.text
    if not text.strip():
        raise UnreadableFile("没有可读的文字")
    if not _looks_like_text(text):
        raise UnreadableFile("内容含有大量控制字符，不像文本")
    share = likely_share(text)
    if share < min_likely_share:
        if extracted.format == "pdf":
            raise UnreadableFile(
                f"PDF 提取出的文字大多是乱码（常用字仅占 {share:.0%}），字体缺少文字映射，"
                "已跳过；可用原始文档重新导出 PDF，或做文字识别（OCR）"
            )
        raise UnreadableFile(
            f"解码后的文字大多是生僻字或乱码（常用字仅占 {share:.0%}），编码可能无法识别，已跳过以免检索到乱码"
        )


# --- boilerplate and metadata ----------------------------------------------------------------
