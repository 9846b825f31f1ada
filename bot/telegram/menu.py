"""The bot's command menu (what Telegram shows after "/"), read by the gate and set at start."""

from __future__ import annotations

from telegram import BotCommand

COMMANDS = [
    BotCommand("start", "开始使用"),
    BotCommand("help", "使用说明和示例问题"),
    BotCommand("search", "查找相关段落：/search 关键词"),
    BotCommand("new", "开始新的对话（之后的问题不再接着前面的问题理解）"),
    BotCommand("sources", "列出收录的报告"),
    BotCommand("reload", "重新读取报告（仅管理员）"),
]
