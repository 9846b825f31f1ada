"""Rate limiter, allowlist, once-only notices, the answer store, callback data, token checks, log redaction."""

from __future__ import annotations

import io
import logging

import pytest
from tg_fakeapi import TOKEN

from bot.telegram.answers import CALLBACK_LIMIT, AnswerStore, StoredAnswer, decode, encode
from bot.telegram.app import file_base_url, token_problem
from bot.telegram.examples import example_questions
from bot.telegram.limits import AccessControl, OnceNotifier, RateLimiter
from bot.telegram.logs import REDACTED, RedactingFilter, configure_logging
from retrieval import Document


def test_rate_limiter_sliding_window(clock):
    limiter = RateLimiter(3, clock=clock)
    assert [limiter.allow(1) for _ in range(4)] == [True, True, True, False]
    assert limiter.allow(2)  # other users are not affected
    assert limiter.retry_after(1) == pytest.approx(60.0)
    clock.now += 30
    assert not limiter.allow(1) and limiter.retry_after(1) == pytest.approx(30.0)
    clock.now += 30.5
    assert limiter.allow(1) and limiter.retry_after(2) == 0.0


def test_rate_limiter_memory_is_bounded(clock):
    limiter = RateLimiter(1, max_keys=10, clock=clock)
    for user in range(100):
        limiter.allow(user)
    assert len(limiter._events) == 10
    assert limiter.allow(0)  # forgotten, so allowed again


def test_once_notifier(clock):
    once = OnceNotifier(clock=clock)
    assert once.first_time(7) and not once.first_time(7) and once.first_time(8)
    every = OnceNotifier(every=60, clock=clock)
    assert every.first_time(7) and not every.first_time(7)
    clock.now += 61
    assert every.first_time(7)


def test_access_control():
    open_bot = AccessControl()
    assert open_bot.is_allowed(1, 2) and open_bot.is_allowed(None, None)
    closed = AccessControl(allowed_ids=[10, -100200], admin_ids=[99])
    assert closed.is_allowed(10, 5)  # listed user anywhere
    assert closed.is_allowed(5, -100200)  # anyone in a listed group
    assert closed.is_allowed(99, 5)  # admins always
    assert not closed.is_allowed(5, 5)
    assert closed.is_admin(99) and not closed.is_admin(10) and not closed.is_admin(None)


def test_answer_store_is_a_bounded_lru_per_chat():
    store = AnswerStore(per_chat=2, max_chats=2)
    entry = StoredAnswer("问", (), 3, 0)
    a = store.put(1, entry)
    b = store.put(1, entry)
    assert store.get(1, a) is entry  # touch a: b is now the oldest
    c = store.put(1, entry)
    assert store.get(1, b) is None and store.get(1, a) is entry and store.get(1, c) is entry
    assert store.get(2, a) is None  # ids are per chat
    store.put(2, entry)
    store.put(3, entry)  # chat 1 is the least recently used chat
    assert store.get(1, a) is None and len(store) == 2
    assert len({a, b, c}) == 3


def test_callback_data_round_trip_and_limits():
    data = encode("o", "zz9", 12)
    assert decode(data) == ("o", "zz9", 12)
    assert len(encode("m", "x" * 50, 999).encode()) <= CALLBACK_LIMIT
    with pytest.raises(ValueError):
        encode("m", "x" * 70, 1)
    for bad in (None, "", "o:1", "q:1:2", "o:1:x", "o:1:2:3"):
        assert decode(bad) is None


def test_example_questions_follow_the_corpus():
    docs = [
        Document(doc_id=f"{p}.txt", path=f"{p}.txt", title=p, text="", places=(p,), years=years)
        for p, years in (("甲县", (2022,)), ("乙市", (2023, 2024)), ("丙县", (2024, 2025)))
    ]
    questions = example_questions(docs)
    assert len(questions) == 3 and len(set(questions)) == 3
    assert questions[0].startswith("丙县2024年") and questions[1].startswith("乙市2024年")
    assert questions[2].startswith("甲县")
    assert len(example_questions([])) == 3  # generic questions when nothing is known


def test_token_problems():
    assert token_problem(TOKEN) is None
    assert "TELEGRAM_BOT_TOKEN" in token_problem("")
    for bad in ("abc", "98765", "98765:short", "x123:ABCDEFGHIJKLMNOPQRSTUVWXYZ", "1:has space aaaaaaaaaaaaaaaaaaa"):
        problem = token_problem(bad)
        assert problem and bad not in problem


def test_file_base_url():
    assert file_base_url("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"
    assert file_base_url("http://h/bot/") == "http://h/file/bot"


def test_log_record_with_token_is_redacted():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.addFilter(RedactingFilter([TOKEN]))
    logger = logging.getLogger("reportqa.test.redact")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("HTTP Request: POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
        logger.warning("secret half alone: %s", TOKEN.split(":")[1])
        try:
            raise RuntimeError(f"failed https://api.telegram.org/bot{TOKEN}/sendMessage")
        except RuntimeError:
            logger.exception("with traceback")
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert TOKEN not in out and TOKEN.split(":")[1] not in out
    assert out.count(REDACTED) == 3  # both messages and the exception text
    assert "getUpdates" in out and "RuntimeError" in out


def test_configure_logging_redacts_library_loggers():
    stream = io.StringIO()
    root = logging.getLogger()
    before = list(root.handlers), root.level
    try:
        configure_logging([TOKEN], quiet=True, stream=stream)
        logging.getLogger("httpx").info("HTTP Request: GET https://x/bot%s/getMe", TOKEN)  # silenced
        logging.getLogger("telegram.ext.Application").warning("url %s", f"https://x/bot{TOKEN}/getMe")
    finally:
        for h in list(root.handlers):
            if h not in before[0]:
                root.removeHandler(h)
            else:
                h.filters.clear()
        root.setLevel(before[1])
        logging.getLogger("httpx").setLevel(logging.NOTSET)
        logging.getLogger("httpcore").setLevel(logging.NOTSET)
        logging.getLogger("telegram.ext.Updater").setLevel(logging.NOTSET)
    out = stream.getvalue()
    assert "getMe" in out and TOKEN not in out and REDACTED in out
    assert "HTTP Request" not in out


def test_application_uses_base_url_and_proxy(settings, engine):
    from bot.telegram.app import build_application
    from retrieval import EngineHolder

    custom = settings.replace(
        telegram_token=TOKEN,
        telegram_api_base_url="http://127.0.0.1:8081/bot",
        telegram_proxy="socks5://127.0.0.1:1080",
    )
    app = build_application(custom, EngineHolder(engine))
    assert app.bot.base_url == f"http://127.0.0.1:8081/bot{TOKEN}"
    assert app.bot.base_file_url == f"http://127.0.0.1:8081/file/bot{TOKEN}"
    requests = app.bot._request  # (getUpdates request, other requests)
    assert [r._client_kwargs["proxy"] for r in requests] == ["socks5://127.0.0.1:1080"] * 2
    bare = settings.replace(telegram_token=TOKEN, telegram_proxy="", telegram_api_base_url="")
    plain_app = build_application(bare, EngineHolder(engine))
    assert plain_app.bot.base_url == f"https://api.telegram.org/bot{TOKEN}"
    assert [r._client_kwargs["proxy"] for r in plain_app.bot._request] == [None, None]


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"webhook_url": "example.com/hook"}, "--webhook-url 必须是完整的网址"),
        ({"webhook_url": "https://example.com/hook", "secret_token": "bad secret!"}, "webhook 密钥只能包含"),
        ({"webhook_url": "https://example.com/hook", "port": 70000}, "--port 必须在 1 到 65535 之间"),
    ],
)
def test_bad_webhook_arguments_are_one_clear_line(settings, capsys, extra, message):
    import argparse

    from bot.telegram.app import run_telegram_command

    args = argparse.Namespace(
        **{
            "webhook_url": None,
            "listen": "127.0.0.1",
            "port": 8443,
            "secret_token": None,
            "quiet": True,
            "debug": False,
            **extra,
        }
    )
    assert run_telegram_command(args, settings.replace(telegram_token=TOKEN)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("错误：") and message in err[0]
