"""Update handlers: parse the update, ask the engine (in a thread), render, send. Nothing else."""

from __future__ import annotations

import asyncio
import logging

from telegram import (BotCommand, InlineQueryResultArticle, InputTextMessageContent, Message, Update)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.ext import (Application, CallbackQueryHandler, CommandHandler, ContextTypes, InlineQueryHandler,
                          MessageHandler, filters)

from retrieval import CorpusError

from . import engine_calls, paging, render
from .delivery import call_with_retry, send_html
from .conversations import conversation_key
from .groups import addressed_question, is_private
from .keyboards import examples_keyboard
from .state import get_state
from .answers import EXAMPLE, MORE, SOURCE, decode

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE

COMMANDS = [
    BotCommand("start", "开始使用"),
    BotCommand("help", "使用说明和示例问题"),
    BotCommand("search", "查找相关段落：/search 关键词"),
    BotCommand("new", "开始新的对话（之后的问题不再接着前面的问题理解）"),
    BotCommand("sources", "列出收录的报告"),
    BotCommand("reload", "重新读取报告（仅管理员）"),
]
ALLOWED_UPDATES = ["message", "callback_query", "inline_query"]

ACCESS_DENIED = "抱歉，这个机器人只对指定的用户和群组开放。"
ERROR = "出错了，请稍后再试。"
EXPIRED = "已过期，请重新提问。"
NOT_TEXT = "我只能回答文字问题。请直接输入问题，例如：{example}"
EMPTY = "请在 @我 后面写上问题，例如：{example}"
INLINE_RESULTS = 3


# --- gatekeeping -------------------------------------------------------------------------------
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


def _reply_to(message: Message) -> int | None:
    """Answers in groups quote the question; in private chats they simply follow it."""
    return None if is_private(message) else message.message_id


# --- commands ----------------------------------------------------------------------------------
async def start(update: Update, context: Context) -> None:
    """/start and /help: what the bot knows, example questions as buttons, how citations work."""
    if not await admit(update, context):
        return
    state = get_state(context.application)
    examples = state.examples
    text = render.help_html(state.documents, examples)
    await send_html(context.bot, update.effective_chat.id, text, reply_markup=examples_keyboard(examples))


async def sources(update: Update, context: Context) -> None:
    """/sources: the indexed reports."""
    if not await admit(update, context):
        return
    state = get_state(context.application)
    await send_html(context.bot, update.effective_chat.id, render.sources_html(state.documents))


async def search(update: Update, context: Context) -> None:
    """/search 关键词: the best-matching paragraphs."""
    if not await admit(update, context):
        return
    message = update.effective_message
    query = " ".join(context.args or []).strip()
    if not query:
        await send_html(context.bot, message.chat_id, render.message_html("用法：/search 关键词，例如：/search 学前教育"))
        return
    state = get_state(context.application)
    await call_with_retry(lambda: context.bot.send_chat_action(message.chat_id, ChatAction.TYPING), "sendChatAction")
    passages = await engine_calls.search(state.engine, query, 5)
    await send_html(context.bot, message.chat_id, render.search_html(query, passages), reply_to=_reply_to(message))


async def new_conversation(update: Update, context: Context) -> None:
    """/new: the next question starts a new conversation (in a group, only the sender's)."""
    if not await admit(update, context):
        return
    message = update.effective_message
    user = update.effective_user
    state = get_state(context.application)
    state.conversations.end(conversation_key(message.chat_id, user.id if user else None, is_private(message)))
    await send_html(context.bot, message.chat_id, render.message_html("已开始新的对话，接下来的问题将单独理解。"),
                    reply_to=_reply_to(message))


async def reload(update: Update, context: Context) -> None:
    """/reload (admins only): re-read the corpus in a thread; the old index serves meanwhile."""
    state = get_state(context.application)
    user = update.effective_user
    chat_id = update.effective_chat.id
    if not state.access.is_admin(user.id if user else None):
        if await admit(update, context):
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
        await send_html(context.bot, chat_id, render.message_html(
            f"已重新载入：{report.documents} 份报告，{report.chunks} 个段落块，用时 {report.seconds:.1f} 秒。"))


async def unknown_command(update: Update, context: Context) -> None:
    """Any other command: a hint in private chats, or in groups when addressed to this bot."""
    message = update.effective_message
    command = (message.text or "").split()[0] if message.text else ""
    if not is_private(message):
        username = context.bot.username or ""
        if not command.lower().endswith(f"@{username}".lower()):
            return
    if not await admit(update, context):
        return
    await send_html(context.bot, message.chat_id,
                    render.message_html("没有这个命令。直接发送问题即可，发送 /help 查看用法。"))


# --- questions ---------------------------------------------------------------------------------
async def answer_question(context: Context, chat_id: int, question: str, reply_to: int | None = None, *,
                          key: object = None, replying_to: int | None = None) -> None:
    """Answer ``question`` in ``chat_id``: typing…, the engine in a thread, cited sentences.

    ``key`` names the conversation the question belongs to (None: answered alone);
    ``replying_to`` is the bot message the user replied to, whose conversation it continues."""
    state = get_state(context.application)
    # "typing…" goes out while the engine works, not before it starts.
    typing = asyncio.ensure_future(call_with_retry(
        lambda: context.bot.send_chat_action(chat_id, ChatAction.TYPING), "sendChatAction", attempts=2))
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
    if not await admit(update, context):
        return
    if not question.strip():
        example = get_state(context.application).examples[0]
        await send_html(context.bot, message.chat_id, render.message_html(EMPTY.format(example=example)),
                        reply_to=_reply_to(message))
        return
    user = update.effective_user
    key = conversation_key(message.chat_id, user.id if user else None, is_private(message))
    await answer_question(context, message.chat_id, question, _reply_to(message), key=key,
                          replying_to=_thread(message, context.bot.id))


async def other_message(update: Update, context: Context) -> None:
    """Stickers, photos, voice…: a short hint (in groups only when replying to the bot)."""
    message = update.effective_message
    if not is_private(message) and addressed_question(message, context.bot.id, context.bot.username) is None:
        return
    if not await admit(update, context):
        return
    example = get_state(context.application).examples[0]
    await send_html(context.bot, message.chat_id, render.message_html(NOT_TEXT.format(example=example)),
                    reply_to=_reply_to(message))


# --- buttons -----------------------------------------------------------------------------------
async def button(update: Update, context: Context) -> None:
    """"原文 N" shows the paragraph, "更多" the next page, an example button asks its question."""
    query = update.callback_query
    parsed = decode(query.data)
    if parsed is None or query.message is None:
        await call_with_retry(lambda: query.answer(EXPIRED), "answerCallbackQuery")
        return
    if not await admit(update, context):
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


# --- inline mode -------------------------------------------------------------------------------
async def inline_query(update: Update, context: Context) -> None:
    """``@bot 问题`` in any chat: the top sentences as articles, each with its citation."""
    query = update.inline_query
    question = query.query.strip()
    if not question:
        await call_with_retry(lambda: query.answer([], cache_time=300), "answerInlineQuery")
        return
    if not await admit(update, context):
        return
    state = get_state(context.application)
    answer = await engine_calls.answer(state.engine, question)
    heading = f"<b>问：</b>{render.escape(question)}\n\n"
    if not answer.answered:
        results = [InlineQueryResultArticle(
            id="none", title="没有找到答案", description=answer.message,
            input_message_content=InputTextMessageContent(
                render.split_html(heading + render.message_html(answer.message))[0], parse_mode=ParseMode.HTML))]
    else:
        results = [InlineQueryResultArticle(
            id=str(n), title=render.shorten(s.text, 60), description=render.short_source(s.citation),
            input_message_content=InputTextMessageContent(
                render.split_html(heading + render.sentence_block(n + 1, s))[0], parse_mode=ParseMode.HTML))
            for n, s in enumerate(answer.sentences[:INLINE_RESULTS])]
    # With an allowlist, Telegram must not hand these cached results to other users.
    personal = bool(state.access.allowed)
    await call_with_retry(lambda: query.answer(results, cache_time=60, is_personal=personal), "answerInlineQuery")


# --- errors and wiring -------------------------------------------------------------------------
async def on_error(update: object, context: Context) -> None:
    """Log the error with the update id; tell the user "出错了，请稍后再试" where possible."""
    error = context.error
    if not isinstance(update, Update):
        # Polling or start-up errors: the library retries by itself.
        log.warning("Telegram API error while fetching updates: %s: %s", type(error).__name__, error)
        return
    log.error("Error while handling update %s", update.update_id, exc_info=error)
    if update.callback_query:
        await call_with_retry(lambda: update.callback_query.answer(ERROR), "answerCallbackQuery")
    elif update.effective_chat and not update.inline_query:
        await send_html(context.bot, update.effective_chat.id, render.message_html(ERROR))


async def post_init(application: Application) -> None:
    """Register the command menu once the bot is known."""
    await call_with_retry(lambda: application.bot.set_my_commands(COMMANDS), "setMyCommands")
    state = get_state(application)
    log.info("Bot @%s ready: %d reports", application.bot.username, len(state.documents))


def register(application: Application) -> None:
    """Add every handler and the error handler to ``application``."""
    new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler(["start", "help"], start, filters=new))
    application.add_handler(CommandHandler("sources", sources, filters=new))
    application.add_handler(CommandHandler("search", search, filters=new))
    application.add_handler(CommandHandler("new", new_conversation, filters=new))
    application.add_handler(CommandHandler("reload", reload, filters=new))
    application.add_handler(MessageHandler(new & filters.COMMAND, unknown_command))
    application.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, text_message))
    application.add_handler(MessageHandler(new & ~filters.TEXT & ~filters.StatusUpdate.ALL, other_message))
    application.add_handler(CallbackQueryHandler(button))
    application.add_handler(InlineQueryHandler(inline_query))
    application.add_error_handler(on_error)
