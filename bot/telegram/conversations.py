"""Telegram conversations, so that follow-up questions (那长葛呢？) lean on the ones before them.

One conversation per private chat and per (group, user); a reply to one of the bot's answers
continues the conversation that answer was part of. A conversation ends after
``conversation_idle_minutes`` without a question and with /new. Memory is bounded: at most
``telegram_max_conversations`` conversations and as many answers are remembered, least recently
used first out.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrieval.lru import LRU

if TYPE_CHECKING:  # conversations are kept here, made and read by the engine
    from retrieval.dialogue.followup import Conversation


def conversation_key(chat_id: int, user_id: int | None, private: bool) -> Hashable:
    """Whose conversation a message belongs to: the private chat's, or the user's in a group."""
    return ("chat", chat_id) if private else ("member", chat_id, user_id)


@dataclass
class _Entry:
    conversation: Conversation | None = None
    used: float = 0.0


class ConversationStore:
    """Bounded, idle-expiring conversations by key, and by the bot's answer messages."""

    def __init__(
        self, idle_minutes: float = 30.0, max_conversations: int = 10_000, clock: Callable[[], float] = time.monotonic
    ):
        self.idle_seconds = idle_minutes * 60.0
        self.max_conversations = max_conversations
        self._clock = clock
        self._by_key: LRU[Hashable, _Entry] = LRU(max_conversations)
        self._by_answer: LRU[tuple[int, int], _Entry] = LRU(max_conversations)
        self._lock = threading.Lock()

    def _fresh(self, entry: _Entry | None) -> Conversation | None:
        if entry is None or entry.conversation is None:
            return None
        if self._clock() - entry.used > self.idle_seconds:
            return None
        return entry.conversation

    def current(self, key: Hashable, reply_to: tuple[int, int] | None = None) -> Conversation | None:
        """The conversation a new message continues: that of the answer it replies to, if that is
        one of the bot's remembered answers, else the key's own; None when there is none or it
        has been idle too long."""
        with self._lock:
            if reply_to is not None:
                found = self._fresh(self._by_answer.get(reply_to))
                if found is not None:
                    return found
            conversation = self._fresh(self._by_key.get(key))
            if conversation is None:
                self._by_key.pop(key)
            return conversation

    def save(self, key: Hashable, conversation: Conversation) -> None:
        """Remember ``conversation`` as the key's current one (before the answer is sent, so that
        the next question, which may be handled while it is being sent, continues it)."""
        with self._lock:
            entry = self._by_key.touch(key, _Entry)
            entry.conversation, entry.used = conversation, self._clock()

    def link(self, chat_id: int, message_ids: Iterable[int], conversation: Conversation) -> None:
        """Remember ``conversation`` as that of the bot's answer messages, for replies to them."""
        with self._lock:
            now = self._clock()
            for message_id in message_ids:
                answer = self._by_answer.touch((chat_id, message_id), _Entry)
                answer.conversation, answer.used = conversation, now

    def end(self, key: Hashable) -> bool:
        """Forget the key's conversation (/new); whether there was one."""
        with self._lock:
            return self._by_key.pop(key) is not None

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_key)
