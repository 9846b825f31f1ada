"""Everything the handlers share: the engine holder, recent answers and the usage policies."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram.ext import Application

from config import Settings
from retrieval.types import Document

if TYPE_CHECKING:  # the engine holder is handed in by app.py
    from retrieval.engine import Engine, EngineHolder

from .answers import AnswerStore
from .conversations import ConversationStore
from .examples import example_questions
from .limits import AccessControl, OnceNotifier, RateLimiter

STATE_KEY = "reportqa"
INLINE_FACTOR = 3


@dataclass
class BotState:
    holder: EngineHolder
    settings: Settings
    access: AccessControl
    limiter: RateLimiter
    inline_limiter: RateLimiter  # inline queries arrive while the user types: a looser, separate limit
    group_limiter: RateLimiter  # all members of one group together, so the bot never floods it
    store: AnswerStore = field(default_factory=AnswerStore)
    conversations: ConversationStore = field(default_factory=ConversationStore)
    denied: OnceNotifier = field(default_factory=OnceNotifier)  # users told they may not use the bot
    throttled: OnceNotifier = field(default_factory=lambda: OnceNotifier(every=60.0))
    group_throttled: OnceNotifier = field(default_factory=lambda: OnceNotifier(every=60.0))
    generation: int = 0  # bumped on every successful reload; older stored answers expire
    reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def create(cls, settings: Settings, holder: EngineHolder) -> BotState:
        return cls(
            holder=holder,
            settings=settings,
            access=AccessControl(settings.telegram_allowed_ids, settings.telegram_admin_ids),
            limiter=RateLimiter(settings.telegram_rate_per_minute),
            inline_limiter=RateLimiter(settings.telegram_rate_per_minute * INLINE_FACTOR),
            group_limiter=RateLimiter(settings.telegram_rate_per_minute),
            conversations=ConversationStore(settings.conversation_idle_minutes, settings.telegram_max_conversations),
        )

    _described: Engine | None = field(default=None, repr=False)
    _documents: list[Document] = field(default_factory=list, repr=False)
    _examples: list[str] = field(default_factory=list, repr=False)

    @property
    def engine(self) -> Engine:
        return self.holder.engine

    def _describe(self) -> None:
        engine = self.engine
        if self._described is not engine:  # computed once per loaded index
            # Titles and metadata only: the texts stay in the index.
            self._documents = [dataclasses.replace(d, text="") for d in engine.documents]
            self._examples = example_questions(self._documents)
            self._described = engine

    @property
    def documents(self) -> list[Document]:
        """The reports of the current index."""
        self._describe()
        return self._documents

    @property
    def examples(self) -> list[str]:
        """Example questions about the current index."""
        self._describe()
        return self._examples


def get_state(application: Application) -> BotState:
    return application.bot_data[STATE_KEY]
