"""Where a table sits in a file's extracted text: the record the index stores for each table, so
that a citation can say table and row (表… › 第N行)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass


@dataclass(frozen=True)
class TablePlace:
    """Where a table sits in the extracted text: its caption, its rows' sentences (the offset
    where each starts, in order) and the caption's own line when printed there."""

    caption: str
    start: int
    end: int
    rows: tuple[int, ...]
    caption_at: tuple[int, int] | None = None

    def to_json(self) -> list:
        return [self.caption, self.start, self.end, list(self.rows), list(self.caption_at) if self.caption_at else None]

    @classmethod
    def from_json(cls, data: list) -> TablePlace:
        caption, start, end, rows, at = data
        if not isinstance(caption, str) or not all(isinstance(v, int) for v in (start, end, *rows)):
            raise ValueError("bad table record")
        return cls(caption, start, end, tuple(rows), tuple(at) if at else None)


def tables_within(places: list[TablePlace] | tuple[TablePlace, ...], start: int, end: int) -> list[TablePlace]:
    """The tables whose rows lie in ``text[start:end]`` (one document of a file), at offsets into
    that span; rows outside it are left out, and a caption line outside it is not the table's."""
    out: list[TablePlace] = []
    for place in places:
        rows = tuple(r - start for r in place.rows if start <= r < end)
        if not rows:
            continue
        at = place.caption_at
        caption_at = (at[0] - start, at[1] - start) if at is not None and start <= at[0] and at[1] <= end else None
        out.append(TablePlace(place.caption, rows[0], min(place.end, end) - start, rows, caption_at))
    return out


def table_at(places: list[TablePlace] | tuple[TablePlace, ...], offset: int) -> tuple[str, int] | None:
    """(caption, 1-based row) of the table row holding character ``offset``, or None."""
    i = bisect.bisect_right([p.start for p in places], offset) - 1
    if i < 0 or offset >= places[i].end:
        return None
    return places[i].caption, bisect.bisect_right(places[i].rows, offset)
