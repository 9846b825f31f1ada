"""Sending to Telegram reliably: retries on flood limits and network errors, never raising."""

from __future__ import annotations

import asyncio
import html
import logging
import re
import warnings
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Bot, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.warnings import PTBDeprecationWarning

from .render import split_html

log = logging.getLogger(__name__)
T = TypeVar("T")

ATTEMPTS = 5
MAX_RETRY_AFTER = 60.0


def _seconds(exc: RetryAfter) -> float:
    """``retry_after`` in seconds (an int now, a timedelta in later library versions)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        delay = exc.retry_after
    return delay.total_seconds() if hasattr(delay, "total_seconds") else float(delay)


def _backoff(attempt: int) -> float:
    return min(0.25 * 2**attempt, 8.0)


class HTMLRejected(Exception):
    """Telegram could not parse the HTML of a message."""


def _is_parse_error(exc: BadRequest) -> bool:
    text = exc.message.lower()
    return "parse" in text and "entit" in text


async def call_with_retry(
    action: Callable[[], Awaitable[T]], what: str, *, attempts: int = ATTEMPTS, raise_on_parse_error: bool = False
) -> T | None:
    """Run ``action`` (a Bot API call), retrying on 429 RetryAfter, timeouts and network errors.

    Returns ``None`` instead of raising when the call cannot succeed (bad request, blocked by
    the user, still failing after ``attempts``); the reason is logged. With
    ``raise_on_parse_error``, a rejected HTML message raises :class:`HTMLRejected` instead.
    """
    for attempt in range(attempts):
        try:
            return await action()
        except RetryAfter as exc:
            wait = min(_seconds(exc), MAX_RETRY_AFTER)
            log.warning("%s: flood limit, retrying in %.1f s", what, wait)
            await asyncio.sleep(wait)
        except BadRequest as exc:  # a subclass of NetworkError: must come first
            if "not modified" in exc.message.lower():
                return None
            if raise_on_parse_error and _is_parse_error(exc):
                raise HTMLRejected(exc.message) from exc
            log.warning("%s: rejected by Telegram: %s", what, exc.message)
            return None
        except Forbidden as exc:
            log.info("%s: not allowed (bot blocked or removed): %s", what, exc.message)
            return None
        except ChatMigrated as exc:
            log.info("%s: chat migrated to %s", what, exc.new_chat_id)
            return None
        except (TimedOut, NetworkError) as exc:
            log.warning("%s: %s (attempt %d of %d)", what, exc.message or type(exc).__name__, attempt + 1, attempts)
            if attempt + 1 < attempts:
                await asyncio.sleep(_backoff(attempt))
        except TelegramError as exc:
            log.warning("%s: Telegram error: %s", what, exc.message)
            return None
    log.error("%s: giving up after %d attempts", what, attempts)
    return None


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", text))


async def send_html(
    bot: Bot, chat_id: int, text: str, *, reply_markup: InlineKeyboardMarkup | None = None, reply_to: int | None = None
) -> list[Message]:
    """Send Telegram HTML, split into messages of at most 4,096 characters.

    The first part replies to ``reply_to``; the keyboard goes under the last part. If Telegram
    cannot parse a part, it is sent again as plain text. Returns the messages that were sent.
    """
    parts = split_html(text)
    sent: list[Message] = []
    what = f"sendMessage to chat {chat_id}"
    for i, part in enumerate(parts):
        markup = reply_markup if i == len(parts) - 1 else None
        reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to is not None and i == 0 else None

        def send(
            body: str = part,
            mode: str | None = ParseMode.HTML,
            markup: InlineKeyboardMarkup | None = markup,
            reply: ReplyParameters | None = reply,
        ) -> Awaitable[Message]:
            return bot.send_message(chat_id, body, parse_mode=mode, reply_markup=markup, reply_parameters=reply)

        try:
            message = await call_with_retry(send, what, raise_on_parse_error=True)
        except HTMLRejected as exc:
            log.warning("%s: HTML rejected (%s); sending plain text", what, exc)
            plain = _plain(part)
            message = await call_with_retry(lambda body=plain, send=send: send(body, None), what)
        if message is not None:
            sent.append(message)
    return sent
