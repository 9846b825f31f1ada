"""WPS 文字 documents (.wps): recognised but not read; their files are listed with advice."""

from __future__ import annotations

from .registry import Format

FORMAT = Format(
    "wps",
    (".wps",),
    "WPS 文字文档",
    None,
    advice="WPS 文字文档（.wps）无法读取，请在 WPS 中另存为 .docx 后再放入文件夹",
)
