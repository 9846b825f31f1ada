"""Recent answers per chat, so buttons can refer to them with a few bytes of callback data."""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass

from retrieval.lru import LRU
from retrieval.types import Sentence

CALLBACK_LIMIT = 64  # bytes Telegram allows in callback_data
SOURCE, MORE, EXAMPLE = "o", "m", "x"


@dataclass(frozen=True)
class StoredAnswer:
    """An answer's ranked sentences (shown and further ones) and the index generation it came from."""

    question: str
    sentences: tuple[Sentence, ...]
    page_size: int
    generation: int


class AnswerStore:
    """Bounded LRU of answers: at most ``per_chat`` per chat and ``max_chats`` chats."""

    def __init__(self, per_chat: int = 64, max_chats: int = 10_000):
        self.per_chat = per_chat
        self.max_chats = max_chats
        self._chats: LRU[int, LRU[str, StoredAnswer]] = LRU(max_chats)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def put(self, chat_id: int, entry: StoredAnswer) -> str:
        """Keep ``entry`` and return its short id (unique for this process)."""
        with self._lock:
            key = _base36(next(self._ids))
            self._chats.touch(chat_id, lambda: LRU(self.per_chat)).put(key, entry)
            return key

    def get(self, chat_id: int, key: str) -> StoredAnswer | None:
        """The entry, or ``None`` if it was evicted or never existed."""
        with self._lock:
            answers = self._chats.get(chat_id)
            return answers.get(key) if answers is not None else None

    def __len__(self) -> int:
        with self._lock:
            return sum(len(a) for a in self._chats.values())


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def encode(kind: str, key: str, index: int) -> str:
    """Callback data ``kind:key:index`` (always well under 64 bytes)."""
    data = f"{kind}:{key}:{index}"
    if len(data.encode()) > CALLBACK_LIMIT:
        raise ValueError("callback data too long")
    return data


def pattern(kind: str) -> str:
    """The callback data of one kind of button, for ``CallbackQueryHandler(pattern=...)``; the match
    names the stored answer's ``key`` and the ``index``."""
    return rf"^{kind}:(?P<key>[^:]*):(?P<index>[0-9]+)$"


def decode(data: str | None) -> tuple[str, str, int] | None:
    """``(kind, key, index)`` from callback data, or ``None`` if it is not ours."""
    for kind in (SOURCE, MORE, EXAMPLE):
        match = re.match(pattern(kind), data or "")
        if match:
            return kind, match["key"], int(match["index"])
    return None
