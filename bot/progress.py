"""A one-line progress display for index builds, shown only on a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressLine:
    """Callable as ``progress(files_done, files_total, chunks)``; redraws one stderr line."""

    def __init__(self, stream: TextIO | None = None, min_interval: float = 0.1):
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.min_interval = min_interval
        self._last = 0.0
        self._drawn = False

    def __call__(self, done: int, total: int, chunks: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < self.min_interval:
            return
        self._last = now
        elapsed = now - self.started
        eta = ""
        if 0 < done < total and elapsed > 0.5:
            eta = f"，预计还需 {elapsed / done * (total - done):.0f} 秒"
        pct = 100 * done / total if total else 100
        self.stream.write(f"\r建立索引：{done}/{total} 个文件（{pct:.0f}%），{chunks} 个段落块{eta}\033[K")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
