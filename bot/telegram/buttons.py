"""The buttons under answers and /help: "原文 N" shows the paragraph, "更多" the next page, an example
question is asked; a button whose answer is gone is told it has expired."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from . import engine_calls, paging, render
from .answers import EXAMPLE, MORE, SOURCE, decode
from .conversations import conversation_key
from .delivery import call_with_retry, send_html
from .questions import answer_question
from .state import get_state

Context = ContextTypes.DEFAULT_TYPE

EXPIRED = "已过期，请重新提问。"


async def button(update: Update, context: Context) -> None:
    """"原文 N" shows the paragraph, "更多" the next page, an example button asks its question."""
    query = update.callback_query
    parsed = decode(query.data)
    if parsed is None or query.message is None:
        await call_with_retry(lambda: query.answer(EXPIRED), "answerCallbackQuery")
        return
    state = get_state(context.application)
    kind, key, index = parsed
    chat_id = query.message.chat.id
    reply_to = query.message.message_id
    if kind == EXAMPLE:
        examples = state.examples
        if index >= len(examples):
            await call_with_retry(lambda: query.answer(EXPIRED), "answerCallbackQuery")
            return
        await call_with_retry(lambda: query.answer(), "answerCallbackQuery")
        question = examples[index]
        await send_html(context.bot, chat_id, f"<b>问：</b>{render.escape(question)}")
        user = update.effective_user
        key = conversation_key(chat_id, user.id if user else None, query.message.chat.type == ChatType.PRIVATE)
        await answer_question(context, chat_id, question, key=key)
        return
    entry = state.store.get(chat_id, key)
    if entry is None or entry.generation != state.generation:
        await call_with_retry(lambda: query.answer(EXPIRED), "answerCallbackQuery")
        return
    if kind == SOURCE:
        if index >= len(entry.sentences):
            await call_with_retry(lambda: query.answer(EXPIRED), "answerCallbackQuery")
            return
        await call_with_retry(lambda: query.answer(), "answerCallbackQuery")
        citation = entry.sentences[index].citation
        paragraph = await engine_calls.paragraph(state.engine, citation)
        text = (render.paragraph_html(paragraph, citation) if paragraph
                else render.message_html("原文已不在索引中，请重新提问。"))
        await send_html(context.bot, chat_id, f"<b>原文 {index + 1}：</b>\n{text}", reply_to=reply_to)
        return
    if kind == MORE:
        shown = paging.page(entry, index)
        if shown is None:
            await call_with_retry(lambda: query.answer("没有更多结果了。"), "answerCallbackQuery")
            return
        await call_with_retry(lambda: query.answer(), "answerCallbackQuery")
        await send_html(context.bot, chat_id, render.answer_html(shown.sentences, shown.first + 1, heading="更多结果："),
                        reply_markup=paging.keyboard(key, shown), reply_to=reply_to)
