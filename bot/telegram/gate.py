"""Who may use the bot and how often: the allowlist and the rate limits, and telling the user."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from . import render
from .delivery import call_with_retry, send_html
from .state import get_state

Context = ContextTypes.DEFAULT_TYPE

ACCESS_DENIED = "抱歉，这个机器人只对指定的用户和群组开放。"


async def _notify(update: Update, context: Context, text: str) -> None:
    """Tell the user ``text`` where they will see it (a toast for buttons, else a message)."""
    if update.callback_query:
        await call_with_retry(lambda: update.callback_query.answer(text, show_alert=True), "answerCallbackQuery")
    elif update.inline_query:
        await call_with_retry(lambda: update.inline_query.answer([], cache_time=0, is_personal=True),
                              "answerInlineQuery")
    elif update.effective_chat:
        await send_html(context.bot, update.effective_chat.id, render.message_html(text))


async def admit(update: Update, context: Context) -> bool:
    """Allowlist and rate limit; access denied is told once, a rate-limit notice once a minute."""
    state = get_state(context.application)
    user = update.effective_user
    chat = update.effective_chat
    if user and user.is_bot:
        return False
    user_id = user.id if user else None
    chat_id = chat.id if chat else None
    if not state.access.is_allowed(user_id, chat_id):
        key = chat_id if chat_id is not None else user_id
        if key is not None and state.denied.first_time(key):
            await _notify(update, context, ACCESS_DENIED)
        elif update.callback_query or update.inline_query:
            await _notify(update, context, ACCESS_DENIED)  # buttons and inline queries must be answered
        return False
    limiter = state.inline_limiter if update.inline_query else state.limiter
    if user_id is not None and not limiter.allow(user_id):
        wait = max(1, round(limiter.retry_after(user_id)))
        if state.throttled.first_time(user_id) or update.callback_query or update.inline_query:
            await _notify(update, context, f"提问太频繁了，请 {wait} 秒后再试（每人每分钟最多 "
                                           f"{limiter.per_minute} 次）。")
        return False
    if chat is not None and chat.type != ChatType.PRIVATE and not state.group_limiter.allow(chat.id):
        wait = max(1, round(state.group_limiter.retry_after(chat.id)))
        if state.group_throttled.first_time(chat.id) or update.callback_query:
            await _notify(update, context, f"本群提问太频繁了，请 {wait} 秒后再试（每个群每分钟最多 "
                                           f"{state.group_limiter.per_minute} 次）。")
        return False
    return True
