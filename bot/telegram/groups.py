"""Whether a group message is meant for the bot, the question it carries, and whether to quote it."""

from __future__ import annotations

from telegram import Message, MessageEntity
from telegram.constants import ChatType


def is_private(message: Message) -> bool:
    return message.chat.type == ChatType.PRIVATE


def quote_id(message: Message) -> int | None:
    """The message an answer quotes: the question in groups; none in private chats, where it simply follows."""
    return None if is_private(message) else message.message_id


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
