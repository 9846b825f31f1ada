"""Which handler takes which update, the command menu set at start, and the error handler.

The handlers themselves only parse the update, ask the engine and render the reply:
``commands.py`` (the slash commands), ``questions.py`` (questions, inline queries, other messages),
``buttons.py`` (the buttons under answers and /help); who may ask and how often is ``gate.py``.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from . import buttons, commands, questions, render
from .answers import EXAMPLE, MORE, SOURCE, pattern
from .delivery import call_with_retry, send_html
from .gate import gate
from .menu import COMMANDS
from .state import get_state

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE

ALLOWED_UPDATES = ["message", "callback_query", "inline_query"]
ERROR = "出错了，请稍后再试。"


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
    """Add the gate (group -1, before every other handler), every handler and the error handler."""
    application.add_handler(TypeHandler(Update, gate), group=-1)
    new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler(["start", "help"], commands.start, filters=new))
    application.add_handler(CommandHandler("sources", commands.sources, filters=new))
    application.add_handler(CommandHandler("search", commands.search, filters=new))
    application.add_handler(CommandHandler("new", commands.new_conversation, filters=new))
    application.add_handler(CommandHandler("reload", commands.reload, filters=new))
    application.add_handler(MessageHandler(new & filters.COMMAND, commands.unknown_command))
    application.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, questions.text_message))
    application.add_handler(MessageHandler(new & ~filters.TEXT & ~filters.StatusUpdate.ALL, questions.other_message))
    application.add_handler(CallbackQueryHandler(buttons.source, pattern=pattern(SOURCE)))
    application.add_handler(CallbackQueryHandler(buttons.more, pattern=pattern(MORE)))
    application.add_handler(CallbackQueryHandler(buttons.example, pattern=pattern(EXAMPLE)))
    application.add_handler(CallbackQueryHandler(buttons.expired))  # any other button
    application.add_handler(InlineQueryHandler(questions.inline_query))
    application.add_error_handler(on_error)
