"""The engine's calls from the bot, awaited off the event loop.

Questions, searches and paragraphs run in the default worker threads, so one slow question
never holds up the other chats; a reload runs in a daemon thread of its own, so that stopping
the bot never waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # the engine comes in as an argument: the bot's modules never load it themselves
    from retrieval.dialogue.followup import Conversation
    from retrieval.engine import Engine, EngineHolder
    from retrieval.types import Answer, Citation, Passage

T = TypeVar("T")


async def ask_in(engine: Engine, conversation: Conversation | None, question: str) -> tuple[Answer, Conversation]:
    """``engine.ask_in``: the answer and the conversation after it."""
    return await asyncio.to_thread(engine.ask_in, conversation, question)


async def answer(engine: Engine, question: str) -> Answer:
    """``engine.answer``: a question on its own (inline queries)."""
    return await asyncio.to_thread(engine.answer, question)


async def search(engine: Engine, query: str, k: int) -> list[Passage]:
    """``engine.search``: the ``k`` best-matching paragraphs."""
    return await asyncio.to_thread(engine.search, query, k)


async def paragraph(engine: Engine, citation: Citation) -> str:
    """``engine.paragraph``: the whole paragraph a citation sits in ("" if it is gone)."""
    return await asyncio.to_thread(engine.paragraph, citation)


def reload(holder: EngineHolder) -> asyncio.Future[Engine]:
    """``holder.reload`` in a daemon thread: the new engine (the old one serves meanwhile)."""
    return in_daemon_thread(holder.reload)


def in_daemon_thread(fn: Callable[[], T]) -> asyncio.Future[T]:
    """Run ``fn`` in a daemon thread, so a long reload never holds up shutdown."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if future.cancelled():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def work() -> None:
        try:
            outcome: tuple[T | None, BaseException | None] = (fn(), None)
        except BaseException as exc:  # handed to the awaiting coroutine
            outcome = (None, exc)
        with contextlib.suppress(RuntimeError):  # the loop has closed: the bot is shutting down
            loop.call_soon_threadsafe(settle, *outcome)

    threading.Thread(target=work, name="reportqa-reload", daemon=True).start()
    return future
