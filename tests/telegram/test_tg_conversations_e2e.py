"""End to end: follow-up questions with the real ``python -m bot telegram`` process against the
fake Bot API, in a private chat and in a group where two users talk at once in reply threads."""

from __future__ import annotations

import time

import pytest
from tg_fakeapi import BOT_USERNAME, FakeBotAPIServer, FakeTelegram
from tg_html import plain, problems
from tg_process import BotProcess

GROUP = -1009009


@pytest.fixture(scope="module")
def live(_isolated_cache, tmp_path_factory):
    with FakeBotAPIServer(FakeTelegram(max_poll_wait=1.0)) as server:
        bot = BotProcess(server, _isolated_cache, tmp_path_factory.mktemp("chat-bot"))
        try:
            bot.wait_ready()
            yield bot
        finally:
            bot.kill()


def sent(api, chat_id, count, timeout=30.0):
    return api.wait_for(
        lambda calls: (lambda found: found if len(found) >= count else None)(
            [c for c in calls if c.method == "sendMessage" and int(c.params["chat_id"]) == chat_id]
        ),
        timeout,
    )


def settle() -> None:
    """The bot remembers which conversation an answer belongs to once Telegram has confirmed the
    message; a person replies seconds later, a test at once: give it that moment."""
    time.sleep(1.0)


def test_private_chat_follow_ups(live):
    api = live.api
    api.push_message(5001, "古丈县现有各级各类学校多少所？")
    sent(api, 5001, 1)
    api.push_message(5001, "其中高中有几所？")
    sent(api, 5001, 2)
    api.push_message(5001, "那凤凰县呢？")
    first, drill, other = [c.params["text"] for c in sent(api, 5001, 3)]
    assert "按“" not in first and "88所" in first
    assert plain(drill).startswith("（按“古丈县") and "高中学校1所" in plain(drill)
    assert plain(other).startswith("（按“凤凰县") and "不涉及凤凰县" in plain(other)
    for text in (first, drill, other):
        assert problems(text) == []


def test_group_reply_threads_with_two_users(live):
    api = live.api
    kw = dict(chat_type="supergroup")
    api.push_message(GROUP, f"@{BOT_USERNAME} 古丈县全县共有学生多少人？", user_id=6001, **kw)
    [a] = sent(api, GROUP, 1)
    api.push_message(GROUP, f"@{BOT_USERNAME} 长葛市2023年高考一本上线多少人？", user_id=6002, **kw)
    a, b = sent(api, GROUP, 2)
    settle()
    # Both reply to their own answers at once.
    api.push_message(GROUP, "老师呢？", user_id=6001, reply_to=a.result, **kw)
    api.push_message(GROUP, "二本呢？", user_id=6002, reply_to=b.result, **kw)
    replies = sent(api, GROUP, 4)[2:]
    by_question = {c.params["reply_parameters"]["message_id"]: plain(c.params["text"]) for c in replies}
    assert len(by_question) == 2
    texts = sorted(by_question.values())
    teacher = next(t for t in texts if "古丈县" in t.split("理解）")[0])
    second_tier = next(t for t in texts if "长葛市" in t.split("理解）")[0])
    assert "1296人" in teacher
    assert "二本上线1983人" in second_tier and "（按“长葛市2023年高考二本上线多少人？”理解）" in second_tier
    # A third member replies to the answer about 古丈's teachers: that conversation, about 溆浦.
    teacher_answer = next(c for c in replies if "古丈县" in plain(c.params["text"]).split("理解）")[0])
    settle()
    api.push_message(GROUP, "那溆浦县呢？", user_id=6003, reply_to=teacher_answer.result, **kw)
    last = plain(sent(api, GROUP, 5)[-1].params["text"])
    assert last.startswith("（按“溆浦县全县共有老师多少人？”理解）")
    # The first member's own conversation is untouched by the others' replies.
    api.push_message(GROUP, f"@{BOT_USERNAME} 那长葛市呢？", user_id=6001, **kw)
    assert plain(sent(api, GROUP, 6)[-1].params["text"]).startswith("（按“长葛市全县共有老师多少人？”理解）")
