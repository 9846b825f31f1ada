"""Each handler with real ``Update`` objects built from JSON and the bot's requests captured."""

from __future__ import annotations

import asyncio
import logging

import pytest
from tg_fakeapi import BOT_ID, BOT_USERNAME, DROP, RETRY_AFTER, SERVER_ERROR, Fault, feed
from tg_html import plain, problems

from bot.telegram import delivery, render
from bot.telegram.state import get_state
from retrieval import EngineHolder

QUESTION = "古丈县现有各级各类学校多少所？"
GROUP = -100500


def texts(api, chat_id):
    return [c.params["text"] for c in api.sent_to(chat_id)]


def buttons(call):
    return [b for row in call.params.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


def assert_valid(api):
    for call in api.calls_of("sendMessage"):
        assert problems(call.params["text"]) == [], call.params["text"][:200]
        for b in buttons(call):
            assert len(b["callback_data"].encode()) <= 64


async def ask(app, api, chat_id, text, **kwargs):
    await feed(app, {"message": api.message(chat_id, text, **kwargs)})


async def test_start_shows_reports_examples_and_citation_help(make_app, api, engine):
    app = await make_app()
    assert [c.params["commands"][0]["command"] for c in api.calls_of("setMyCommands")] == ["start"]
    await ask(app, api, 1, "/start")
    [call] = api.sent_to(1)
    text = call.params["text"]
    assert f"{len(engine.documents)} 份报告" in text
    for doc in engine.documents:
        assert render.escape(doc.title[:20]) in text
    assert "原文" in text and "出处" in text
    examples = [b["text"] for b in buttons(call)]
    assert len(examples) == 3 and all(q in plain(text) for q in examples)
    assert call.params["parse_mode"] == "HTML"
    assert_valid(api)


async def test_question_is_answered_with_citations_and_buttons(make_app, api):
    app = await make_app()
    await ask(app, api, 7, QUESTION)
    methods = [c.method for c in api.calls if c.params.get("chat_id") == 7]
    assert methods == ["sendChatAction", "sendMessage"]
    assert api.calls_of("sendChatAction")[0].params["action"] == "typing"
    [call] = api.sent_to(7)
    text = call.params["text"]
    assert "<b>88所</b>" in text
    assert "<i>—— 古丈县教体局2024年工作总结及2025年工作计划 › 一、基本情况，第4段</i>" in text
    labels = [b["text"] for b in buttons(call)]
    assert labels == ["原文 1", "原文 2", "原文 3", "更多"]
    assert "reply_parameters" not in call.params  # private chats: no quoting
    assert_valid(api)


async def test_source_button_shows_the_paragraph_with_the_sentence_highlighted(make_app, api, engine):
    app = await make_app()
    await ask(app, api, 7, QUESTION)
    [answer_call] = api.sent_to(7)
    source = buttons(answer_call)[0]
    await feed(app, {"callback_query": api.callback(7, answer_call.result, source["callback_data"])})
    assert len(api.calls_of("answerCallbackQuery")) == 1
    text = texts(api, 7)[-1]
    best = engine.answer(QUESTION).sentences[0]
    paragraph = engine.paragraph(best.citation)
    assert f"<b>{render.escape(best.text)}</b>" in text
    assert plain(text).startswith("原文 1：\n" + paragraph)
    assert best.citation.label() in plain(text)
    assert api.sent_to(7)[-1].params["reply_parameters"]["message_id"] == answer_call.result["message_id"]
    assert_valid(api)


async def test_refusal_shows_the_closest_sentences_as_unconfirmed_with_source_buttons(make_app, api, engine):
    question = "长葛市哪个星期不开会？"
    answer = engine.answer(question)
    assert answer.outcome == "unsure" and answer.closest
    app = await make_app()
    await ask(app, api, 7, question)
    [call] = api.sent_to(7)
    text = plain(call.params["text"])
    assert text.startswith(answer.message)
    assert render.CLOSEST_HEADING in text and "无会周" in text
    assert [b["text"] for b in buttons(call)] == [f"原文 {n + 1}" for n in range(len(answer.closest))]
    await feed(app, {"callback_query": api.callback(7, call.result, buttons(call)[0]["callback_data"])})
    assert plain(texts(api, 7)[-1]).startswith("原文 1：\n" + engine.paragraph(answer.closest[0].citation))
    # Far from every report: the refusal alone, without buttons.
    await ask(app, api, 7, "古丈县明天天气怎么样？")
    last = api.sent_to(7)[-1]
    assert plain(last.params["text"]) == engine.answer("古丈县明天天气怎么样？").message and not buttons(last)
    assert_valid(api)


async def test_more_button_pages_through_further_results(make_app, api, engine):
    app = await make_app()
    await ask(app, api, 7, QUESTION)
    answer = engine.answer(QUESTION)
    call = api.sent_to(7)[0]
    more = buttons(call)[-1]
    await feed(app, {"callback_query": api.callback(7, call.result, more["callback_data"])})
    page = api.sent_to(7)[-1]
    assert "更多结果" in page.params["text"]
    assert "<b>[4]</b>" in page.params["text"] and "<b>[1]</b>" not in page.params["text"]
    assert plain(page.params["text"]).count("——") == 3
    assert answer.more[0].text in plain(page.params["text"])
    assert [b["text"] for b in buttons(page)][:3] == ["原文 4", "原文 5", "原文 6"]
    # the 原文 button of a further result points at that sentence
    await feed(app, {"callback_query": api.callback(7, page.result, buttons(page)[0]["callback_data"])})
    assert render.escape(answer.more[0].text) in texts(api, 7)[-1]
    assert_valid(api)


async def test_expired_or_foreign_callback_is_polite(make_app, api):
    app = await make_app()
    await ask(app, api, 7, QUESTION)
    call = api.sent_to(7)[0]
    await feed(app, {"callback_query": api.callback(7, call.result, "o:zzzz:0")})
    await feed(app, {"callback_query": api.callback(7, call.result, "garbage")})
    # an id from another chat is not found either
    other = dict(call.result, chat={"id": 8, "type": "private", "first_name": "x"})
    await feed(app, {"callback_query": api.callback(8, other, buttons(call)[0]["callback_data"])})
    answers = [c.params.get("text") for c in api.calls_of("answerCallbackQuery")]
    assert answers == ["已过期，请重新提问。"] * 3
    assert len(api.sent_to(7)) == 1 and api.sent_to(8) == []


async def test_evicted_answers_expire(make_app, api):
    app = await make_app()
    get_state(app).store.per_chat = 2
    for _ in range(3):
        await ask(app, api, 7, QUESTION)
    first = api.sent_to(7)[0]
    await feed(app, {"callback_query": api.callback(7, first.result, buttons(first)[0]["callback_data"])})
    assert api.calls_of("answerCallbackQuery")[-1].params["text"] == "已过期，请重新提问。"
    last = api.sent_to(7)[-1]
    await feed(app, {"callback_query": api.callback(7, last.result, buttons(last)[0]["callback_data"])})
    assert texts(api, 7)[-1].startswith("<b>原文 1：</b>")


async def test_example_button_asks_the_question(make_app, api):
    app = await make_app()
    await ask(app, api, 7, "/help")
    call = api.sent_to(7)[0]
    example = buttons(call)[1]
    await feed(app, {"callback_query": api.callback(7, call.result, example["callback_data"])})
    sent = texts(api, 7)
    assert sent[1] == f"<b>问：</b>{render.escape(example['text'])}"
    assert "<b>[1]</b>" in sent[2] and "原文 1" in [b["text"] for b in buttons(api.sent_to(7)[2])]


async def test_sources_and_search(make_app, api, engine):
    app = await make_app()
    await ask(app, api, 7, "/sources")
    text = texts(api, 7)[0]
    assert all(render.escape(d.title) in text for d in engine.documents)
    await ask(app, api, 7, "/search 学前教育")
    text = texts(api, 7)[1]
    best = engine.search("学前教育", 5)[0]
    assert "与「学前教育」最相关的" in text and render.escape(best.text[:30]) in text
    await ask(app, api, 7, "/search")
    assert "用法：/search 关键词" in texts(api, 7)[2]
    await ask(app, api, 7, "/search <script>&")
    assert "&lt;script&gt;&amp;" in texts(api, 7)[3] and "<script>" not in texts(api, 7)[3]
    assert_valid(api)


async def test_group_messages_need_a_mention_or_a_reply(make_app, api):
    app = await make_app()
    await ask(app, api, GROUP, QUESTION, user_id=5, chat_type="supergroup")
    await ask(app, api, GROUP, "/help@SomeOtherBot", user_id=5, chat_type="supergroup")
    await ask(app, api, GROUP, "/foo", user_id=5, chat_type="supergroup")
    await feed(
        app,
        {
            "message": api.message(
                GROUP,
                None,
                user_id=5,
                chat_type="supergroup",
                extra={
                    "sticker": {
                        "file_id": "s",
                        "file_unique_id": "s",
                        "width": 1,
                        "height": 1,
                        "is_animated": False,
                        "is_video": False,
                        "type": "regular",
                    }
                },
            )
        },
    )
    assert [c.method for c in api.calls] == ["getMe", "setMyCommands"]  # nothing sent to the group

    mention = api.message(GROUP, f"@{BOT_USERNAME} {QUESTION}", user_id=5, chat_type="supergroup")
    await feed(app, {"message": mention})
    [call] = api.sent_to(GROUP)
    assert "88所" in call.params["text"]
    assert call.params["reply_parameters"]["message_id"] == mention["message_id"]

    reply = api.message(GROUP, QUESTION, user_id=6, chat_type="supergroup", reply_to=call.result)
    await feed(app, {"message": reply})
    assert len(api.sent_to(GROUP)) == 2 and "88所" in texts(api, GROUP)[1]

    await ask(app, api, GROUP, f"@{BOT_USERNAME}", user_id=5, chat_type="supergroup")
    assert "请在 @我 后面写上问题" in texts(api, GROUP)[2]
    await ask(app, api, GROUP, f"/help@{BOT_USERNAME}", user_id=5, chat_type="supergroup")
    assert "份报告" in texts(api, GROUP)[3]


async def test_messages_from_other_bots_are_ignored(make_app, api):
    app = await make_app()
    message = api.message(7, QUESTION)
    message["from"]["is_bot"] = True
    await feed(app, {"message": message})
    assert api.sent_to(7) == []


async def test_allowlist_refuses_once(make_app, api):
    app = await make_app(telegram_allowed_ids=[42, GROUP])
    await ask(app, api, 7, QUESTION)
    await ask(app, api, 7, QUESTION)
    await ask(app, api, 7, "/start")
    assert texts(api, 7) == ["抱歉，这个机器人只对指定的用户和群组开放。"]
    await ask(app, api, 42, QUESTION)
    assert "88所" in texts(api, 42)[0]
    await ask(app, api, GROUP, f"@{BOT_USERNAME} {QUESTION}", user_id=9, chat_type="group")
    assert "88所" in texts(api, GROUP)[0]
    await feed(app, {"inline_query": api.inline(7, QUESTION)})
    assert api.calls_of("answerInlineQuery")[-1].params["results"] == []


async def test_rate_limit_tells_once_then_stays_quiet(make_app, api):
    app = await make_app(telegram_rate_per_minute=2)
    for _ in range(5):
        await ask(app, api, 7, QUESTION)
    sent = texts(api, 7)
    assert len(sent) == 3
    assert all("88所" in t for t in sent[:2])
    assert "提问太频繁了" in sent[2] and "每人每分钟最多 2 次" in sent[2]
    await ask(app, api, 8, QUESTION)  # another user is not limited
    assert "88所" in texts(api, 8)[0]
    # Inline queries come while the user types: they have their own, looser limit.
    for _ in range(6):
        await feed(app, {"inline_query": api.inline(7, QUESTION)})
    await feed(app, {"inline_query": api.inline(7, QUESTION)})
    results = [c.params["results"] for c in api.calls_of("answerInlineQuery")]
    assert all(results[:6]) and results[6] == []


async def test_a_group_as_a_whole_is_rate_limited(make_app, api):
    app = await make_app(telegram_rate_per_minute=2)
    for user in (11, 12, 13, 14):
        await ask(app, api, GROUP, f"@{BOT_USERNAME} {QUESTION}", user_id=user, chat_type="supergroup")
    sent = texts(api, GROUP)
    assert len(sent) == 3 and all("88所" in t for t in sent[:2])
    assert "本群提问太频繁了" in sent[2] and "每个群每分钟最多 2 次" in sent[2]


async def test_inline_results_are_personal_with_an_allowlist(make_app, api):
    app = await make_app()
    await feed(app, {"inline_query": api.inline(7, QUESTION)})
    closed = await make_app(telegram_allowed_ids=[7])
    await feed(closed, {"inline_query": api.inline(7, QUESTION)})
    first, second = api.calls_of("answerInlineQuery")
    assert first.params["is_personal"] is False
    assert second.params["is_personal"] is True and second.params["results"]


async def test_non_text_and_bad_questions_get_a_helpful_reply(make_app, api):
    app = await make_app()
    await feed(
        app,
        {
            "message": api.message(
                7, None, extra={"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]}
            )
        },
    )
    await feed(
        app, {"message": api.message(7, None, extra={"voice": {"file_id": "v", "file_unique_id": "v", "duration": 1}})}
    )
    await ask(app, api, 7, "长" * 600)
    await ask(app, api, 7, "/nosuchcommand")
    await ask(app, api, 7, "今天天气怎么样？")
    sent = texts(api, 7)
    assert sent[0].startswith("我只能回答文字问题") and sent[1] == sent[0]
    assert "问题太长" in sent[2]
    assert "没有这个命令" in sent[3]
    assert len(sent) == 5 and sent[4]  # a refusal or an answer, never silence
    assert_valid(api)


async def test_inline_query_returns_cited_articles(make_app, api):
    app = await make_app()
    await feed(app, {"inline_query": api.inline(7, QUESTION)})
    [call] = api.calls_of("answerInlineQuery")
    results = call.params["results"]
    assert 1 <= len(results) <= 3
    top = results[0]
    assert top["type"] == "article" and "88所" in top["title"]
    assert "古丈县教体局" in top["description"]
    content = top["input_message_content"]
    assert content["parse_mode"] == "HTML" and "<b>88所</b>" in content["message_text"]
    assert "基本情况，第4段" in content["message_text"] and problems(content["message_text"]) == []
    await feed(app, {"inline_query": api.inline(7, "   ")})
    assert api.calls_of("answerInlineQuery")[-1].params["results"] == []


async def test_reload_is_for_admins_and_expires_old_buttons(make_app, api, engine):
    app = await make_app(telegram_admin_ids=[99])
    await ask(app, api, 7, "/reload")
    assert texts(api, 7) == ["只有管理员可以使用 /reload。"]
    await ask(app, api, 99, QUESTION)
    old = api.sent_to(99)[0]
    await ask(app, api, 99, "/reload")
    sent = texts(api, 99)
    assert "正在重新读取报告" in sent[1] and sent[2].startswith(f"已重新载入：{len(engine.documents)} 份报告")
    assert get_state(app).engine is not engine
    await feed(app, {"callback_query": api.callback(99, old.result, buttons(old)[0]["callback_data"])})
    assert api.calls_of("answerCallbackQuery")[-1].params["text"] == "已过期，请重新提问。"
    await ask(app, api, 99, QUESTION)
    assert "88所" in texts(api, 99)[-1]


async def test_questions_during_a_reload_are_answered_from_the_old_index(make_app, api, engine, monkeypatch):
    holder = EngineHolder(engine)
    app = await make_app(holder=holder, telegram_admin_ids=[99])
    gate = asyncio.Event()
    loop = asyncio.get_running_loop()
    real_reload = holder.reload

    def slow_reload(**kwargs):
        asyncio.run_coroutine_threadsafe(gate.wait(), loop).result(timeout=30)
        return real_reload(**kwargs)

    monkeypatch.setattr(holder, "reload", slow_reload)
    reloading = asyncio.create_task(feed(app, {"message": api.message(99, "/reload")}))
    await asyncio.sleep(0.05)
    await ask(app, api, 7, QUESTION)  # answered while the reload waits
    assert "88所" in texts(api, 7)[0] and holder.engine is engine
    await ask(app, api, 99, "/reload")
    assert texts(api, 99)[-1] == "正在重新载入，请稍候。"
    gate.set()
    await reloading
    assert texts(api, 99)[-1].startswith("已重新载入") and holder.engine is not engine


async def test_an_error_in_one_chat_is_reported_and_does_not_affect_others(make_app, api, engine, caplog, monkeypatch):
    app = await make_app()
    real_answer = engine.answer

    def answer(question, **kwargs):
        if "爆炸" in question:
            raise RuntimeError("boom")
        return real_answer(question, **kwargs)

    monkeypatch.setattr(get_state(app).engine, "answer", answer)
    with caplog.at_level(logging.ERROR, logger="bot.telegram.handlers"):
        await asyncio.gather(
            feed(app, {"message": api.message(7, "爆炸了吗")}, update_id=4242),
            feed(app, {"message": api.message(8, QUESTION)}, update_id=4243),
        )
    assert texts(api, 7) == ["出错了，请稍后再试。"]
    assert "88所" in texts(api, 8)[0]
    assert any("4242" in r.getMessage() and r.exc_info for r in caplog.records)


async def test_flood_limit_and_network_errors_are_retried(make_app, api):
    app = await make_app()
    api.faults["sendMessage"].extend([RETRY_AFTER, SERVER_ERROR, DROP])
    await ask(app, api, 7, QUESTION)
    assert len(api.sent_to(7)) == 1 and "88所" in texts(api, 7)[0]
    assert [f for _, f in api.faults_served] == [RETRY_AFTER, SERVER_ERROR, DROP]


async def test_rejected_html_falls_back_to_plain_text(make_app, api):
    app = await make_app()
    api.faults["sendMessage"].append(Fault("status", 400, "Bad Request: can't parse entities: oops"))
    await ask(app, api, 7, QUESTION)
    [call] = api.sent_to(7)
    assert call.params.get("parse_mode") is None and "<b>" not in call.params["text"]
    assert "88所" in call.params["text"] and buttons(call)


async def test_bad_request_is_logged_not_retried(make_app, api, caplog):
    app = await make_app()
    api.faults["sendMessage"].append(Fault("status", 400, "Bad Request: chat not found"))
    with caplog.at_level(logging.WARNING):
        await ask(app, api, 7, QUESTION)
    assert api.sent_to(7) == []
    assert any("chat not found" in r.getMessage().lower() for r in caplog.records)


async def test_long_messages_are_split_with_the_keyboard_on_the_last_part(make_app, api):
    app = await make_app()
    from bot.telegram.keyboards import answer_keyboard

    text = "\n\n".join(f"<b>[{i}]</b> " + "很长的句子，" * 60 + "。" for i in range(40))
    await delivery.send_html(app.bot, 7, text, reply_markup=answer_keyboard("k", 0, 3, 1), reply_to=5)
    calls = api.sent_to(7)
    assert len(calls) > 1
    assert all(len(c.params["text"]) <= 4096 for c in calls)
    assert [bool(buttons(c)) for c in calls] == [False] * (len(calls) - 1) + [True]
    assert "reply_parameters" in calls[0].params and all("reply_parameters" not in c.params for c in calls[1:])
    assert "".join(plain(c.params["text"]) for c in calls).replace("\n", "") == plain(text).replace("\n", "")
    assert_valid(api)


@pytest.mark.parametrize("chat_type", ["private", "group"])
async def test_text_mention_of_the_bot_counts_as_a_mention(make_app, api, chat_type):
    app = await make_app()
    entities = [
        {"type": "text_mention", "offset": 0, "length": 2, "user": {"id": BOT_ID, "is_bot": True, "first_name": "问答"}}
    ]
    await ask(
        app,
        api,
        -3 if chat_type == "group" else 3,
        f"问答 {QUESTION}",
        user_id=3,
        chat_type=chat_type,
        entities=entities,
    )
    assert "88所" in texts(api, -3 if chat_type == "group" else 3)[0]
