"""Questions: a text message (in a group, one addressed to the bot), an example button's question and an
inline query are answered; anything else gets a hint."""

from __future__ import annotations

import asyncio

from telegram import InlineQueryResultArticle, InputTextMessageContent, Message, Update
from telegram.constants import ChatAction, ParseMode
from telegram.ext import ContextTypes

from . import engine_calls, paging, render
from .conversations import conversation_key
from .delivery import call_with_retry, send_html
from .groups import addressed_question, is_private, quote_id
from .state import get_state

Context = ContextTypes.DEFAULT_TYPE

NOT_TEXT = "我只能回答文字问题。请直接输入问题，例如：{example}"
EMPTY = "请在 @我 后面写上问题，例如：{example}"
INLINE_RESULTS = 3


async def answer_question(
    context: Context,
    chat_id: int,
    question: str,
    reply_to: int | None = None,
    *,
    key: object = None,
    replying_to: int | None = None,
) -> None:
    """Answer ``question`` in ``chat_id``: typing…, the engine in a thread, cited sentences.

    ``key`` names the conversation the question belongs to (None: answered alone);
    ``replying_to`` is the bot message the user replied to, whose conversation it continues."""
    state = get_state(context.application)
    # "typing…" goes out while the engine works, not before it starts.
    typing = asyncio.ensure_future(
        call_with_retry(lambda: context.bot.send_chat_action(chat_id, ChatAction.TYPING), "sendChatAction", attempts=2)
    )
    generation = state.generation
    conversation = None
    if key is not None:
        conversation = state.conversations.current(key, None if replying_to is None else (chat_id, replying_to))
    try:
        answer, after = await engine_calls.ask_in(state.engine, conversation, question)
    finally:
        await typing
    if key is not None:
        state.conversations.save(key, after)
    markup = paging.remember(state.store, chat_id, answer, question, generation)
    sent = await send_html(context.bot, chat_id, render.reply_html(answer), reply_markup=markup, reply_to=reply_to)
    if key is not None:
        state.conversations.link(chat_id, [m.message_id for m in sent], after)


def _thread(message: Message, bot_id: int) -> int | None:
    """The id of the bot's message that ``message`` replies to, if any."""
    reply = message.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == bot_id:
        return reply.message_id
    return None


async def text_message(update: Update, context: Context) -> None:
    """A text message: in private chats always a question; in groups only when addressed."""
    message = update.effective_message
    question = addressed_question(message, context.bot.id, context.bot.username)
    if question is None:
        return
    if not question.strip():
        example = get_state(context.application).examples[0]
        await send_html(
            context.bot, message.chat_id, render.message_html(EMPTY.format(example=example)), reply_to=quote_id(message)
        )
        return
    user = update.effective_user
    key = conversation_key(message.chat_id, user.id if user else None, is_private(message))
    await answer_question(
        context, message.chat_id, question, quote_id(message), key=key, replying_to=_thread(message, context.bot.id)
    )


async def other_message(update: Update, context: Context) -> None:
    """Stickers, photos, voice…: a short hint (in groups only when replying to the bot)."""
    message = update.effective_message
    example = get_state(context.application).examples[0]
    await send_html(
        context.bot, message.chat_id, render.message_html(NOT_TEXT.format(example=example)), reply_to=quote_id(message)
    )


async def inline_query(update: Update, context: Context) -> None:
    """``@bot 问题`` in any chat: the top sentences as articles, each with its citation."""
    query = update.inline_query
    question = query.query.strip()
    if not question:
        await call_with_retry(lambda: query.answer([], cache_time=300), "answerInlineQuery")
        return
    state = get_state(context.application)
    answer = await engine_calls.answer(state.engine, question)
    heading = f"<b>问：</b>{render.escape(question)}\n\n"
    if not answer.answered:
        results = [
            InlineQueryResultArticle(
                id="none",
                title="没有找到答案",
                description=answer.message,
                input_message_content=InputTextMessageContent(
                    render.split_html(heading + render.message_html(answer.message))[0], parse_mode=ParseMode.HTML
                ),
            )
        ]
    else:
        results = [
            InlineQueryResultArticle(
                id=str(n),
                title=render.shorten(s.text, 60),
                description=render.short_source(s.citation),
                input_message_content=InputTextMessageContent(
                    render.split_html(heading + render.sentence_block(n + 1, s))[0], parse_mode=ParseMode.HTML
                ),
            )
            for n, s in enumerate(answer.sentences[:INLINE_RESULTS])
        ]
    # With an allowlist, Telegram must not hand these cached results to other users.
    personal = bool(state.access.allowed)
    await call_with_retry(lambda: query.answer(results, cache_time=60, is_personal=personal), "answerInlineQuery")
