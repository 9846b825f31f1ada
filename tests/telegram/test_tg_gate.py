"""The gate (group -1): updates not for the bot, the allowlist and the rate limits, before any handler."""

from __future__ import annotations

import logging

import pytest
from telegram import Update
from telegram.ext import TypeHandler
from tg_fakeapi import BOT_ID, BOT_USERNAME, feed

from bot.telegram import gate
from bot.telegram.groups import for_the_bot
from bot.telegram.limits import OnceNotifier, RateLimiter
from bot.telegram.state import get_state

QUESTION = "古丈县现有各级各类学校多少所？"
GROUP = -100500


def texts(api, chat_id):
    return [c.params["text"] for c in api.sent_to(chat_id)]


def reached(app) -> list[Update]:
    """The updates that got past the gate: a handler after every other records them."""
    seen: list[Update] = []

    async def record(update: Update, context) -> None:
        seen.append(update)

    app.add_handler(TypeHandler(Update, record), group=1)
    return seen


def sender(update: Update) -> int:
    return update.effective_user.id


async def ask(app, api, chat_id, text, **kwargs):
    await feed(app, {"message": api.message(chat_id, text, **kwargs)})


async def test_the_gate_runs_first_in_group_minus_one(make_app):
    app = await make_app()
    [first] = app.handlers[-1]
    assert isinstance(first, TypeHandler) and first.type is Update and first.callback is gate.gate
    assert min(app.handlers) == -1


async def test_a_denied_user_is_told_once_and_no_handler_runs(make_app, api):
    app = await make_app(telegram_allowed_ids=[42])
    seen = reached(app)
    await ask(app, api, 7, QUESTION)
    await ask(app, api, 7, "/start")
    await feed(
        app,
        {
            "message": api.message(
                7, None, extra={"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]}
            )
        },
    )
    assert texts(api, 7) == [gate.ACCESS_DENIED]
    assert [c.method for c in api.calls if c.params.get("chat_id") == 7] == ["sendMessage"]  # no "typing…"
    # A button or an inline query must be answered, every time.
    await feed(app, {"callback_query": api.callback(7, api.sent_to(7)[0].result, "o:1:0")})
    [toast] = api.calls_of("answerCallbackQuery")
    assert toast.params["text"] == gate.ACCESS_DENIED and toast.params["show_alert"] is True
    await feed(app, {"inline_query": api.inline(7, QUESTION)})
    assert api.calls_of("answerInlineQuery")[-1].params["results"] == []
    assert seen == [] and len(texts(api, 7)) == 1


async def test_allowed_users_admins_and_listed_groups_pass(make_app, api):
    app = await make_app(telegram_allowed_ids=[42, GROUP], telegram_admin_ids=[99])
    seen = reached(app)
    await ask(app, api, 42, QUESTION)
    await ask(app, api, 99, QUESTION)
    await ask(app, api, GROUP, f"@{BOT_USERNAME} {QUESTION}", user_id=9, chat_type="group")
    await feed(app, {"inline_query": api.inline(42, QUESTION)})
    assert [sender(u) for u in seen] == [42, 99, 9, 42]
    assert all("88所" in texts(api, chat)[0] for chat in (42, 99, GROUP))
    assert api.calls_of("answerInlineQuery")[0].params["results"]


async def test_the_rate_limit_notice_comes_at_most_once_a_minute(make_app, api, clock):
    app = await make_app()
    state = get_state(app)
    state.limiter = RateLimiter(2, clock=clock)
    state.throttled = OnceNotifier(every=60.0, clock=clock)
    seen = reached(app)
    for _ in range(4):
        await ask(app, api, 7, QUESTION)
    sent = texts(api, 7)
    assert len(sent) == 3 and all("88所" in t for t in sent[:2])
    assert sent[2] == gate.TOO_OFTEN.format(wait=60, limit=2)
    clock.now += 30
    await ask(app, api, 7, QUESTION)  # still over the limit: no second notice within the minute
    assert len(texts(api, 7)) == 3 and len(seen) == 2
    clock.now += 30.5  # the first two questions have left the window
    for _ in range(3):
        await ask(app, api, 7, QUESTION)
    sent = texts(api, 7)
    assert len(sent) == 6 and all("88所" in t for t in sent[3:5])
    assert sent[5] == gate.TOO_OFTEN.format(wait=60, limit=2)  # a minute after the first notice
    assert len(seen) == 4
    # A button pressed while over the limit is always answered, with the notice as a toast.
    await feed(app, {"callback_query": api.callback(7, api.sent_to(7)[0].result, "o:1:0")})
    assert api.calls_of("answerCallbackQuery")[-1].params["text"] == gate.TOO_OFTEN.format(wait=60, limit=2)
    assert len(seen) == 4


async def test_updates_not_for_the_bot_stop_silently_and_are_not_counted(make_app, api):
    app = await make_app(telegram_rate_per_minute=1)
    seen = reached(app)
    for text in (QUESTION, "/foo", "/help@SomeOtherBot", "闲聊"):
        await ask(app, api, GROUP, text, user_id=5, chat_type="supergroup")
    from_bot = api.message(7, QUESTION)
    from_bot["from"]["is_bot"] = True
    await feed(app, {"message": from_bot})
    joined = api.message(GROUP, None, user_id=5, chat_type="supergroup", extra={"new_chat_members": [api.user(6)]})
    await feed(app, {"message": joined})
    assert seen == [] and [c.method for c in api.calls] == ["getMe", "setMyCommands"]
    await ask(app, api, GROUP, f"@{BOT_USERNAME} {QUESTION}", user_id=5, chat_type="supergroup")
    assert len(seen) == 1 and "88所" in texts(api, GROUP)[0]  # the chatter used none of the one a minute


async def test_the_gate_fails_closed(make_app, api, monkeypatch, caplog):
    app = await make_app()
    seen = reached(app)

    def broken(*args):
        raise RuntimeError("broken")

    monkeypatch.setattr(get_state(app).access, "is_allowed", broken)
    with caplog.at_level(logging.ERROR):
        await ask(app, api, 7, QUESTION)
    assert seen == [] and api.sent_to(7) == []
    assert any("Access check failed" in r.getMessage() for r in caplog.records)


def _update(api, chat_id, text, chat_type="supergroup", **kwargs) -> Update:
    return Update.de_json(
        {"update_id": 1, "message": api.message(chat_id, text, chat_type=chat_type, user_id=5, **kwargs)}, None
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("/help", True),
        ("/HELP", True),
        (f"/help@{BOT_USERNAME}", True),
        (f"/foo@{BOT_USERNAME.lower()}", True),
        ("/foo", False),
        ("/help@SomeOtherBot", False),
        (QUESTION, False),
        (f"@{BOT_USERNAME} {QUESTION}", True),
        (f"@SomeOtherBot {QUESTION}", False),
    ],
)
def test_which_group_messages_are_for_the_bot(api, text, expected):
    assert for_the_bot(_update(api, GROUP, text), BOT_ID, BOT_USERNAME, {"help", "start"}) is expected


def test_private_messages_buttons_and_inline_queries_are_for_the_bot_service_messages_not(api):
    assert for_the_bot(_update(api, 7, "/foo@SomeOtherBot", chat_type="private"), BOT_ID, BOT_USERNAME, ())
    bot_message = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": GROUP, "type": "supergroup"},
        "from": api.bot_user,
        "text": "答案",
    }
    reply = _update(api, GROUP, QUESTION, reply_to=bot_message)
    assert for_the_bot(reply, BOT_ID, BOT_USERNAME, ())
    pinned = _update(api, 7, None, chat_type="private", extra={"pinned_message": bot_message})
    assert not for_the_bot(pinned, BOT_ID, BOT_USERNAME, ())
    for kind, payload in (
        ("callback_query", api.callback(7, bot_message, "o:1:0")),
        ("inline_query", api.inline(7, QUESTION)),
    ):
        assert for_the_bot(Update.de_json({"update_id": 2, kind: payload}, None), BOT_ID, BOT_USERNAME, ())
