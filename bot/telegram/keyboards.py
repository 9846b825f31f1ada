"""Inline keyboards: "原文 N" per cited sentence, "更多" for the next page, example questions."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from .answers import EXAMPLE, MORE, SOURCE, encode

ROW = 4  # 原文 buttons per row


def answer_keyboard(key: str, first: int, count: int, next_page: int | None) -> InlineKeyboardMarkup:
    """Buttons for sentences ``first .. first+count-1`` of stored answer ``key`` (0-based)."""
    sources = [
        InlineKeyboardButton(f"原文 {first + i + 1}", callback_data=encode(SOURCE, key, first + i))
        for i in range(count)
    ]
    rows = [sources[i : i + ROW] for i in range(0, len(sources), ROW)]
    if next_page is not None:
        rows.append([InlineKeyboardButton("更多", callback_data=encode(MORE, key, next_page))])
    return InlineKeyboardMarkup(rows)


def examples_keyboard(examples: Sequence[str]) -> InlineKeyboardMarkup:
    """One button per example question; pressing it asks the question."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(q, callback_data=encode(EXAMPLE, "e", i))] for i, q in enumerate(examples)]
    )
