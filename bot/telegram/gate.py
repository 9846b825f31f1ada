"""The one gate every update passes first: is it for the bot, may the sender use it, not too often.

python-telegram-bot's own pattern: ``TypeHandler(Update, gate)`` in group -1 runs before every
other handler, and ``ApplicationHandlerStop`` raised there keeps the update from them. Updates the
bot does not act on (a group's chatter, other bots, service messages) stop here without a word and
without counting. Someone outside the allowlist is told once; someone over the rate limit at most
once a minute. A button press or an inline query is always answered, as Telegram waits for that.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from . import render
from .delivery import call_with_retry, send_html
from .groups import for_the_bot
from .limits import RateLimiter
from .menu import COMMANDS
from .state import BotState, get_state

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE

ACCESS_DENIED = "抱歉，这个机器人只对指定的用户和群组开放。"
TOO_OFTEN = "提问太频繁了，请 {wait} 秒后再试（每人每分钟最多 {limit} 次）。"
GROUP_TOO_OFTEN = "本群提问太频繁了，请 {wait} 秒后再试（每个群每分钟最多 {limit} 次）。"
_COMMANDS = frozenset(c.command for c in COMMANDS)


async def gate(update: Update, context: Context) -> None:
    """Let ``update`` on to the handlers, or tell the sender why not and stop it there.

    It fails closed: an error while checking stops the update too (and is logged)."""
    try:
        admitted, notice = verdict(update, context)
        if notice:
            await _notify(update, context, notice)
    except Exception:
        log.exception("Access check failed for update %s", update.update_id)
        admitted = False
    if not admitted:
        raise ApplicationHandlerStop


def verdict(update: Update, context: Context) -> tuple[bool, str | None]:
    """Whether ``update`` may go on, and what to tell its sender if not (``None``: nothing)."""
    bot = context.bot
    if not for_the_bot(update, bot.id, bot.username, _COMMANDS):
        return False, None
    return _policy(get_state(context.application), update)


def _policy(state: BotState, update: Update) -> tuple[bool, str | None]:
    """The allowlist, then the sender's rate limit, then the group's."""
    user, chat = update.effective_user, update.effective_chat
    user_id = user.id if user else None
    must_answer = bool(update.callback_query or update.inline_query)
    if not state.access.is_allowed(user_id, chat.id if chat else None):
        key = chat.id if chat else user_id
        first = key is not None and state.denied.first_time(key)
        return False, ACCESS_DENIED if first or must_answer else None
    limiter = state.inline_limiter if update.inline_query else state.limiter
    if user_id is not None and not limiter.allow(user_id):
        notice = TOO_OFTEN.format(wait=_wait(limiter, user_id), limit=limiter.per_minute)
        return False, notice if state.throttled.first_time(user_id) or must_answer else None
    if chat is not None and chat.type != ChatType.PRIVATE and not state.group_limiter.allow(chat.id):
        notice = GROUP_TOO_OFTEN.format(wait=_wait(state.group_limiter, chat.id), limit=state.group_limiter.per_minute)
        return False, notice if state.group_throttled.first_time(chat.id) or must_answer else None
    return True, None


def _wait(limiter: RateLimiter, key: int) -> int:
    return max(1, round(limiter.retry_after(key)))


async def _notify(update: Update, context: Context, text: str) -> None:
    """Tell the user ``text`` where they will see it (a toast for buttons, else a message)."""
    if update.callback_query:
        await call_with_retry(lambda: update.callback_query.answer(text, show_alert=True), "answerCallbackQuery")
    elif update.inline_query:
        await call_with_retry(
            lambda: update.inline_query.answer([], cache_time=0, is_personal=True), "answerInlineQuery"
        )
    elif update.effective_chat:
        await send_html(context.bot, update.effective_chat.id, render.message_html(text))
