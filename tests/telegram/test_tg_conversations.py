"""Follow-up questions in Telegram, handler by handler: one conversation per private chat and per
(group, user), replies continue the answer's conversation, /new and idle time end it, inline
mode stays stateless, and the store stays bounded."""

from __future__ import annotations

from tg_fakeapi import BOT_USERNAME, feed
from tg_html import plain, problems

from bot.telegram.conversations import ConversationStore, conversation_key
from bot.telegram.state import get_state
from retrieval.dialogue.followup import Conversation

GROUP = -100700
STUDENTS = "古丈县全县共有学生多少人？"
CHANGGE_REPORT = "2023年重点工作总结及2024年重点工作谋划"  # the title of 长葛市's seed report


def texts(api, chat_id):
    return [plain(c.params["text"]) for c in api.sent_to(chat_id)]


async def ask(app, api, chat_id, text, **kwargs):
    message = api.message(chat_id, text, **kwargs)
    await feed(app, {"message": message})
    return message


def test_store_is_bounded_and_expires(clock):
    store = ConversationStore(idle_minutes=30, max_conversations=2, clock=clock)
    for n in range(3):
        conversation = Conversation(question=f"问题{n}", turns=1)
        store.save(("chat", n), conversation)
        store.link(n, [100 + n], conversation)
    assert len(store) == 2 and store.current(("chat", 0)) is None  # least recently used went first
    assert store.current(("chat", 2)).question == "问题2"
    assert store.current(("chat", 9), reply_to=(1, 101)).question == "问题1"  # by the answer message
    assert store.current(("chat", 9), reply_to=(0, 100)) is None  # evicted with its conversation's turn
    clock.now += 31 * 60
    assert store.current(("chat", 2)) is None and store.current(("chat", 9), reply_to=(2, 102)) is None
    assert conversation_key(5, 5, True) != conversation_key(5, 5, False)


async def test_private_follow_up_says_how_it_was_understood(make_app, api):
    app = await make_app()
    await ask(app, api, 11, STUDENTS)
    await ask(app, api, 11, "那长葛市呢？")
    first, second = api.sent_to(11)
    assert "按“" not in plain(first.params["text"])
    text = second.params["text"]
    assert text.startswith("<i>（按“长葛市") and "理解）</i>" in text and problems(text) == []
    # What follows is the reply to the question as understood: its sentences (answer or 可能相关),
    # or the not-found message naming the places the reports cover.
    body = plain(text).split("理解）", 1)[1]
    understood = get_state(app).engine.answer(plain(text).split("按“", 1)[1].split("”", 1)[0])
    shown = understood.sentences if understood.answered else understood.closest
    assert all(s.text in body for s in shown) if shown else "长葛" in body
    # Answered about 长葛市: sentences cited from its report, or a refusal that names it.

    cited = [line for line in body.splitlines() if line.startswith("——")]
    assert all(CHANGGE_REPORT in line for line in cited) and (cited or "长葛" in body)


async def test_new_and_idle_time_end_the_conversation(make_app, api, clock):
    app = await make_app()
    get_state(app).conversations = ConversationStore(idle_minutes=30, clock=clock)
    await ask(app, api, 12, STUDENTS)
    await ask(app, api, 12, "/new")
    assert texts(api, 12)[-1].startswith("已开始新的对话")
    await ask(app, api, 12, "老师呢？")
    assert "按“" not in texts(api, 12)[-1]
    await ask(app, api, 12, STUDENTS)
    clock.now += 29 * 60
    await ask(app, api, 12, "老师呢？")
    assert texts(api, 12)[-1].startswith("（按“古丈县")
    clock.now += 31 * 60
    await ask(app, api, 12, "那长葛市呢？")
    assert "按“" not in texts(api, 12)[-1]


async def test_group_members_have_their_own_conversations_and_replies_continue_an_answer(make_app, api):
    app = await make_app()
    group = dict(chat_type="supergroup")
    await ask(app, api, GROUP, f"@{BOT_USERNAME} {STUDENTS}", user_id=21, **group)
    await ask(app, api, GROUP, f"@{BOT_USERNAME} 长葛市排查出多少处安全隐患？", user_id=22, **group)
    answer_a, answer_b = api.sent_to(GROUP)
    # User 21 follows up by mention: their own conversation (古丈), not 22's (长葛).
    await ask(app, api, GROUP, f"@{BOT_USERNAME} 老师呢？", user_id=21, **group)
    assert texts(api, GROUP)[-1].startswith("（按“古丈县")
    # User 21 replies to 22's answer: that answer's conversation (长葛) continues.
    await ask(app, api, GROUP, "那溆浦县呢？", user_id=21, reply_to=answer_b.result, **group)
    assert texts(api, GROUP)[-1].startswith("（按“溆浦县") and "安全隐患" in texts(api, GROUP)[-1]
    # User 22 replies to 21's first answer: 古丈's student question, about 怀化 now.
    await ask(app, api, GROUP, "怀化呢？", user_id=22, reply_to=answer_a.result, **group)
    assert texts(api, GROUP)[-1].startswith("（按“怀化") and "学生" in texts(api, GROUP)[-1].split("理解）")[0]
    # /new ends only the sender's conversation.
    await ask(app, api, GROUP, f"/new@{BOT_USERNAME}", user_id=22, **group)
    assert texts(api, GROUP)[-1].startswith("已开始新的对话")
    await ask(app, api, GROUP, f"@{BOT_USERNAME} 老师呢？", user_id=22, **group)
    assert "按“" not in texts(api, GROUP)[-1]
    await ask(app, api, GROUP, f"@{BOT_USERNAME} 去年呢？", user_id=21, **group)
    assert texts(api, GROUP)[-1].startswith("（按“")


async def test_inline_mode_is_stateless(make_app, api):
    app = await make_app()
    await ask(app, api, 13, STUDENTS)
    await feed(app, {"inline_query": api.inline(13, "那长葛市呢？")})
    [call] = api.calls_of("answerInlineQuery")
    for result in call.params["results"]:
        assert "按“" not in result["input_message_content"]["message_text"]
