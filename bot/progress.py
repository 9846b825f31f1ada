"""A one-line progress display for index builds, shown only on a terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} 秒"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} 分 {seconds:02d} 秒"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} 小时 {minutes:02d} 分"


class ProgressLine:
    """Callable as ``progress(files_done, files_total, chunks)``; redraws one stderr line.

    Shows files done out of all, the percentage, the chunks indexed so far and, once there is
    a rate to go by, the time left. Files taken from the token cache arrive at once in the
    first call; the rate (and so the estimate) counts only the files tokenised after it.
    """

    def __init__(
        self, stream: TextIO | None = None, min_interval: float = 0.1, clock: Callable[[], float] = time.monotonic
    ):
        self.stream = stream or sys.stderr
        self.clock = clock
        self.min_interval = min_interval
        self._start: tuple[float, int] | None = None  # (time, files done) of the first call
        self._last = float("-inf")
        self._drawn = False

    def _text(self, done: int, total: int, chunks: int) -> str:
        pct = 100 * done / total if total else 100
        return f"建立索引：{done}/{total} 个文件（{pct:.0f}%），{chunks} 个段落块"

    def __call__(self, done: int, total: int, chunks: int = 0) -> None:
        now = self.clock()
        if self._start is None:
            self._start = (now, done)
        if 0 < done < total and now - self._last < self.min_interval:
            return
        self._last = now
        started, base = self._start
        elapsed = now - started
        line = self._text(done, total, chunks)
        if done >= total:
            line += f"，用时 {_duration(elapsed)}"
        elif done > base and elapsed >= 1.0:
            line += f"，预计还需 {_duration(elapsed / (done - base) * (total - done))}"
        self.stream.write(f"\r{line}\033[K")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """End the line (only if something was drawn)."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


class VectorProgressLine(ProgressLine):
    """Callable as ``progress(sentences_done, sentences_total)`` while sentence vectors are
    computed; the same line, rate and time left as :class:`ProgressLine`."""

    def _text(self, done: int, total: int, chunks: int) -> str:
        pct = 100 * done / total if total else 100
        return f"计算句子向量（语义匹配）：{done}/{total} 句（{pct:.0f}%）"
