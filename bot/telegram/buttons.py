"""The buttons under answers and /help, one callback per kind (registered with its pattern):
"原文 N" shows the paragraph, "更多" the next page, an example question is asked. A button
whose answer is gone, or any other button, is told it has expired."""

from __future__ import annotations

from telegram import CallbackQuery, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from . import engine_calls, paging, render
from .answers import StoredAnswer
from .conversations import conversation_key
from .delivery import call_with_retry, send_html
from .questions import answer_question
from .state import get_state

Context = ContextTypes.DEFAULT_TYPE

EXPIRED = "已过期，请重新提问。"


async def source(update: Update, context: Context) -> None:
    """ "原文 N": the whole paragraph of the answer's sentence N, that sentence in bold."""
    query = update.callback_query
    entry = _stored(query, context)
    index = int(context.match["index"])
    if entry is None or index >= len(entry.sentences):
        await expired(update, context)
        return
    await call_with_retry(lambda: query.answer(), "answerCallbackQuery")
    citation = entry.sentences[index].citation
    paragraph = await engine_calls.paragraph(get_state(context.application).engine, citation)
    text = (
        render.paragraph_html(paragraph, citation)
        if paragraph
        else render.message_html("原文已不在索引中，请重新提问。")
    )
    await send_html(
        context.bot, query.message.chat.id, f"<b>原文 {index + 1}：</b>\n{text}", reply_to=query.message.message_id
    )


async def more(update: Update, context: Context) -> None:
    """ "更多": the answer's next page of sentences, with its own buttons."""
    query = update.callback_query
    entry = _stored(query, context)
    if entry is None:
        await expired(update, context)
        return
    shown = paging.page(entry, int(context.match["index"]))
    if shown is None:
        await call_with_retry(lambda: query.answer("没有更多结果了。"), "answerCallbackQuery")
        return
    await call_with_retry(lambda: query.answer(), "answerCallbackQuery")
    await send_html(
        context.bot,
        query.message.chat.id,
        render.answer_html(shown.sentences, shown.first + 1, heading="更多结果："),
        reply_markup=paging.keyboard(context.match["key"], shown),
        reply_to=query.message.message_id,
    )


async def example(update: Update, context: Context) -> None:
    """An example question under /help: asked as if the user had sent it."""
    query = update.callback_query
    examples = get_state(context.application).examples
    index = int(context.match["index"])
    if query.message is None or index >= len(examples):
        await expired(update, context)
        return
    await call_with_retry(lambda: query.answer(), "answerCallbackQuery")
    chat = query.message.chat
    question = examples[index]
    await send_html(context.bot, chat.id, f"<b>问：</b>{render.escape(question)}")
    user = update.effective_user
    key = conversation_key(chat.id, user.id if user else None, chat.type == ChatType.PRIVATE)
    await answer_question(context, chat.id, question, key=key)


async def expired(update: Update, context: Context) -> None:
    """A button whose answer is gone, or that is not (or no longer) one of ours."""
    await call_with_retry(lambda: update.callback_query.answer(EXPIRED), "answerCallbackQuery")


def _stored(query: CallbackQuery, context: Context) -> StoredAnswer | None:
    """The answer a "原文" or "更多" button is under, unless it was forgotten or the index reloaded since."""
    if query.message is None:
        return None
    state = get_state(context.application)
    entry = state.store.get(query.message.chat.id, context.match["key"])
    return entry if entry is not None and entry.generation == state.generation else None
