"""Button routing: each kind of button reaches its own callback through its pattern."""

from __future__ import annotations

import re

import pytest
from tg_fakeapi import feed

from bot.telegram import buttons
from bot.telegram.answers import EXAMPLE, MORE, SOURCE, encode, pattern
from bot.telegram.keyboards import answer_keyboard, examples_keyboard

CALLBACKS = ("source", "more", "example", "expired")


@pytest.fixture
async def routed(make_app, monkeypatch):
    """An application whose button callbacks only record what reached them: ``(app, reached)``."""
    reached: list[tuple[str, dict]] = []

    def recorder(name):
        async def record(update, context):
            reached.append((name, context.match.groupdict() if context.matches else {}))

        return record

    for name in CALLBACKS:
        monkeypatch.setattr(buttons, name, recorder(name))
    return await make_app(), reached


def _datas(markup):
    return [b.callback_data for row in markup.inline_keyboard for b in row]


async def press(app, api, data):
    message = {
        "message_id": 5,
        "date": 0,
        "chat": {"id": 7, "type": "private", "first_name": "x"},
        "from": api.bot_user,
        "text": "答案",
    }
    await feed(app, {"callback_query": api.callback(7, message, data)})


async def test_each_button_kind_reaches_its_callback(routed, api):
    app, reached = routed
    source_1, source_2, more = _datas(answer_keyboard("k3", 0, 2, 1))
    [first_example, _] = _datas(examples_keyboard(["问一", "问二"]))
    for data in (source_2, more, first_example, source_1):
        await press(app, api, data)
    assert reached == [
        ("source", {"key": "k3", "index": "1"}),
        ("more", {"key": "k3", "index": "1"}),
        ("example", {"key": "e", "index": "0"}),
        ("source", {"key": "k3", "index": "0"}),
    ]


@pytest.mark.parametrize("data", ["garbage", "o:1", "q:1:2", "o:1:x", "o:1:2:3", "m:1:-1", "x:e:²"])
async def test_any_other_button_reaches_the_expired_callback(routed, api, data):
    app, reached = routed
    await press(app, api, data)
    assert reached == [("expired", {})]


def test_each_pattern_matches_its_own_kind_only():
    kinds = (SOURCE, MORE, EXAMPLE)
    for kind in kinds:
        data = encode(kind, "zz9", 12)
        assert [other for other in kinds if re.match(pattern(other), data)] == [kind]
        assert re.match(pattern(kind), data).groupdict() == {"key": "zz9", "index": "12"}
