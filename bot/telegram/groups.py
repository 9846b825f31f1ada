"""Whether an update is for the bot at all, the question a group message carries, and whether to quote it."""

from __future__ import annotations

from collections.abc import Collection

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import filters


def is_private(message: Message) -> bool:
    return message.chat.type == ChatType.PRIVATE


def quote_id(message: Message) -> int | None:
    """The message an answer quotes: the question in groups; none in private chats, where it simply follows."""
    return None if is_private(message) else message.message_id


def for_the_bot(update: Update, bot_id: int, username: str | None, commands: Collection[str]) -> bool:
    """Whether the bot acts on ``update`` at all (it ignores the rest without a word).

    Button presses and inline queries from people, and their new messages other than service
    messages: in a private chat every one; in a group those addressed to the bot: one of
    ``commands``, any command naming the bot (/命令@bot), a mention of the bot, a reply to it.
    """
    user = update.effective_user
    if user is not None and user.is_bot:
        return False
    if update.callback_query or update.inline_query:
        return True
    message = update.message
    if message is None or filters.StatusUpdate.ALL.check_update(update):
        return False
    if is_private(message):
        return True
    if filters.COMMAND.check_update(update):
        command, _, target = message.text[1 : message.entities[0].length].partition("@")
        return target.lower() == (username or "").lower() if target else command.lower() in commands
    return addressed_question(message, bot_id, username) is not None


def addressed_question(message: Message, bot_id: int, username: str | None) -> str | None:
    """The question in ``message`` if it is for the bot, else ``None``.

    In a private chat every message is for the bot. In a group only a message that mentions
    the bot (``@username`` or a text mention) or replies to one of its messages; the mention
    itself is removed from the question.
    """
    text = message.text or message.caption or ""
    if is_private(message):
        return text
    handle = f"@{username}".lower() if username else None
    mentioned = False
    spans: list[tuple[int, int]] = []
    parser = message.parse_entities if message.text is not None else message.parse_caption_entities
    for entity, value in parser([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        if entity.type == MessageEntity.MENTION and handle and value.lower() == handle:
            mentioned = True
            spans.append(_locate(text, value, spans))
        elif entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            mentioned = True
            spans.append(_locate(text, value, spans))
    reply = message.reply_to_message
    replying = bool(reply and reply.from_user and reply.from_user.id == bot_id)
    if not (mentioned or replying):
        return None
    for start, end in sorted(spans, reverse=True):
        if start >= 0:
            text = text[:start] + " " + text[end:]
    return " ".join(text.split())


def _locate(text: str, value: str, taken: list[tuple[int, int]]) -> tuple[int, int]:
    """Python offsets of the next occurrence of ``value`` not already taken."""
    start = 0
    while True:
        at = text.find(value, start)
        if at < 0:
            return (-1, -1)
        if all(not (s <= at < e) for s, e in taken):
            return (at, at + len(value))
        start = at + 1
