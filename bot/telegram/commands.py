"""The slash commands: the menu Telegram shows, and a handler for each."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import ContextTypes

from retrieval.types import CorpusError

from . import engine_calls, render
from .conversations import conversation_key
from .delivery import call_with_retry, send_html
from .groups import is_private, quote_id
from .keyboards import examples_keyboard
from .menu import COMMANDS  # noqa: F401  (the menu, for callers that list commands)
from .state import get_state

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE


async def start(update: Update, context: Context) -> None:
    """/start and /help: what the bot knows, example questions as buttons, how citations work."""
    state = get_state(context.application)
    examples = state.examples
    text = render.help_html(state.documents, examples)
    await send_html(context.bot, update.effective_chat.id, text, reply_markup=examples_keyboard(examples))


async def sources(update: Update, context: Context) -> None:
    """/sources: the indexed reports."""
    state = get_state(context.application)
    await send_html(context.bot, update.effective_chat.id, render.sources_html(state.documents))


async def search(update: Update, context: Context) -> None:
    """/search 关键词: the best-matching paragraphs."""
    message = update.effective_message
    query = " ".join(context.args or []).strip()
    if not query:
        await send_html(
            context.bot, message.chat_id, render.message_html("用法：/search 关键词，例如：/search 学前教育")
        )
        return
    state = get_state(context.application)
    await call_with_retry(lambda: context.bot.send_chat_action(message.chat_id, ChatAction.TYPING), "sendChatAction")
    passages = await engine_calls.search(state.engine, query, 5)
    await send_html(context.bot, message.chat_id, render.search_html(query, passages), reply_to=quote_id(message))


async def new_conversation(update: Update, context: Context) -> None:
    """/new: the next question starts a new conversation (in a group, only the sender's)."""
    message = update.effective_message
    user = update.effective_user
    state = get_state(context.application)
    state.conversations.end(conversation_key(message.chat_id, user.id if user else None, is_private(message)))
    await send_html(
        context.bot,
        message.chat_id,
        render.message_html("已开始新的对话，接下来的问题将单独理解。"),
        reply_to=quote_id(message),
    )


async def reload(update: Update, context: Context) -> None:
    """/reload (admins only): re-read the corpus in a thread; the old index serves meanwhile."""
    state = get_state(context.application)
    user = update.effective_user
    chat_id = update.effective_chat.id
    if not state.access.is_admin(user.id if user else None):
        await send_html(context.bot, chat_id, render.message_html("只有管理员可以使用 /reload。"))
        return
    if state.reload_lock.locked():
        await send_html(context.bot, chat_id, render.message_html("正在重新载入，请稍候。"))
        return
    async with state.reload_lock:
        await send_html(context.bot, chat_id, render.message_html("正在重新读取报告，期间照常回答问题……"))
        try:
            engine = await engine_calls.reload(state.holder)
        except CorpusError as exc:
            log.warning("reload failed: %s", exc)
            await send_html(context.bot, chat_id, render.message_html(f"重新载入失败：{exc}。继续使用原来的索引。"))
            return
        state.generation += 1
        report = engine.report
        await send_html(
            context.bot,
            chat_id,
            render.message_html(
                f"已重新载入：{report.documents} 份报告，{report.chunks} 个段落块，用时 {report.seconds:.1f} 秒。"
            ),
        )


async def unknown_command(update: Update, context: Context) -> None:
    """Any other command (in a group, one naming this bot): a hint."""
    await send_html(
        context.bot,
        update.effective_chat.id,
        render.message_html("没有这个命令。直接发送问题即可，发送 /help 查看用法。"),
    )
