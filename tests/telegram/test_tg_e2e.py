"""End to end: the real ``python -m bot telegram`` process against a fake Bot API on 127.0.0.1.

The tests of this module share one bot process; the last one stops it with SIGTERM.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from tg_fakeapi import BOT_USERNAME, DROP, RETRY_AFTER, SERVER_ERROR, TOKEN, FakeBotAPIServer, FakeTelegram
from tg_html import plain, problems
from tg_process import CLEAN_ENV_VARS, ROOT, SEEDS, START_TIMEOUT, BotProcess

QUESTION = "古丈县现有各级各类学校多少所？"
GUZHANG_REPORT = "古丈县教体局2024年工作总结及2025年工作计划"


@pytest.fixture(scope="module")
def live(_isolated_cache, tmp_path_factory):
    with FakeBotAPIServer(FakeTelegram(max_poll_wait=1.0)) as server:
        bot = BotProcess(server, _isolated_cache, tmp_path_factory.mktemp("bot"))
        try:
            bot.wait_ready()
            yield bot
        finally:
            bot.kill()
            transcript = os.environ.get("TELEGRAM_TEST_TRANSCRIPT")
            if transcript:  # the exchange, for documentation (docs/telegram.md)
                Path(transcript).write_text(
                    json.dumps(
                        [{"method": c.method, "params": c.params, "result": c.result} for c in server.api.calls],
                        ensure_ascii=False,
                        indent=1,
                    ),
                    encoding="utf-8",
                )


def answers_in(api: FakeTelegram, chat_id: int, count: int = 1, timeout: float = 20.0):
    return api.wait_for(
        lambda calls: (lambda sent: sent if len(sent) >= count else None)(
            [c for c in calls if c.method == "sendMessage" and int(c.params["chat_id"]) == chat_id]
        ),
        timeout,
    )


def buttons(call):
    return [b for row in call.params.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


def check_messages(api: FakeTelegram) -> None:
    for call in api.calls_of("sendMessage"):
        assert problems(call.params["text"]) == [], call.params["text"][:200]
        assert len(call.params["text"]) <= 4096


def test_start_and_a_question_get_cited_answers(live):
    api = live.api
    api.push_message(1001, "/start")
    [help_call] = answers_in(api, 1001)
    assert "5 份报告" in help_call.params["text"] and len(buttons(help_call)) == 3
    assert [c["command"] for c in api.calls_of("setMyCommands")[0].params["commands"]][:2] == ["start", "help"]

    api.push_message(1001, QUESTION)
    answer = answers_in(api, 1001, 2)[1]
    assert "88所" in answer.params["text"]
    assert f"—— {GUZHANG_REPORT} › 一、基本情况，第4段" in plain(answer.params["text"])
    assert any(
        c.params.get("chat_id") == 1001 and c.params["action"] == "typing" for c in api.calls_of("sendChatAction")
    )
    check_messages(api)


def test_source_button_opens_the_paragraph(live):
    api = live.api
    api.push_message(1002, QUESTION)
    [answer] = answers_in(api, 1002)
    source = buttons(answer)[0]
    assert source["text"] == "原文 1"
    api.push_callback(1002, answer.result, source["callback_data"])
    paragraph = answers_in(api, 1002, 2)[1]
    text = paragraph.params["text"]
    assert "<b>古丈县现有各级各类学校88所" in text and GUZHANG_REPORT in text
    assert paragraph.params["reply_parameters"]["message_id"] == answer.result["message_id"]
    assert api.wait_for(lambda calls: [c for c in calls if c.method == "answerCallbackQuery"])
    check_messages(api)


def test_inline_query(live):
    api = live.api
    api.push_inline(1003, QUESTION)
    [call] = api.wait_for(lambda calls: [c for c in calls if c.method == "answerInlineQuery"])
    top = call.params["results"][0]
    assert "88所" in top["title"] and GUZHANG_REPORT[:10] in top["description"]
    assert problems(top["input_message_content"]["message_text"]) == []


def test_group_answers_only_when_mentioned(live):
    api = live.api
    group = -1002001
    api.push_message(group, QUESTION, user_id=2001, chat_type="supergroup")
    mention = api.message(group, f"@{BOT_USERNAME} {QUESTION}", user_id=2002, chat_type="supergroup")
    api.push({"message": mention})
    [answer] = answers_in(api, group)
    assert "88所" in answer.params["text"]
    assert answer.params["reply_parameters"]["message_id"] == mention["message_id"]
    api.push_message(1004, "/sources")  # a later update, processed after both group messages
    answers_in(api, 1004)
    assert len(api.sent_to(group)) == 1


def test_faults_are_survived_and_every_question_answered(live):
    api = live.api
    chats = list(range(3001, 3007))
    kinds = [RETRY_AFTER, SERVER_ERROR, DROP]
    failed_once: set[int] = set()

    def policy(method, params):
        chat = int(params.get("chat_id") or 0)
        if method == "sendMessage" and chat in chats and chat not in failed_once:
            failed_once.add(chat)
            return kinds[chat % 3]
        return None

    api.faults["getUpdates"].extend([SERVER_ERROR, DROP, RETRY_AFTER])
    api.fault_policy = policy
    try:
        for chat in chats:
            api.push_message(chat, QUESTION)
        for chat in chats:
            [answer] = answers_in(api, chat, timeout=30)
            assert "88所" in answer.params["text"]
    finally:
        api.fault_policy = None
    served = [f for _, f in api.faults_served]
    assert {RETRY_AFTER, SERVER_ERROR, DROP} <= set(served)
    assert served.count(SERVER_ERROR) >= 3 and served.count(DROP) >= 3
    assert all(len(api.sent_to(chat)) == 1 for chat in chats)  # retried, not duplicated
    check_messages(api)


def test_sigterm_stops_cleanly_and_the_token_never_shows(live):
    """Runs last in this module: it stops the shared bot process."""
    assert live.proc.poll() is None
    assert live.stop() == 0
    output = live.output()
    assert TOKEN not in output and TOKEN.split(":")[1] not in output


# --- separate processes ------------------------------------------------------------------------
def _run(args: list[str], env_extra: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV_VARS and k != "TELEGRAM_BOT_TOKEN"}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "bot", "telegram", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize("token", ["", "not-a-token", "123:abc"])
def test_missing_or_malformed_token_is_one_clear_line(token):
    result = _run(["--quiet"], {"TELEGRAM_BOT_TOKEN": token} if token else {})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：") and "TELEGRAM_BOT_TOKEN" in lines[0]
    assert not token or token not in result.stderr


def test_rejected_token_is_one_clear_line(_isolated_cache):
    with FakeBotAPIServer(FakeTelegram(token="999:ANOTHER-token-abcdefghijklmnop")) as server:
        result = _run(
            ["--corpus", str(SEEDS), "--quiet"],
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": server.base_url,
                "REPORTQA_CACHE_DIR": str(_isolated_cache),
            },
        )
    assert result.returncode == 2
    assert "错误：Telegram 不接受这个令牌" in result.stderr
    assert "Traceback" not in result.stderr and TOKEN not in result.stderr + result.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_listening(port: int, timeout: float = 20.0) -> None:
    """The webhook server starts after setWebhook: wait until it accepts connections."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _post(url: str, update: dict, secret: str) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(update).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_webhook_mode_checks_the_secret(_isolated_cache, tmp_path):
    port = _free_port()
    secret = "s3cret_Token-1"
    with FakeBotAPIServer(FakeTelegram()) as server:
        api = server.api
        bot = BotProcess(
            server,
            _isolated_cache,
            tmp_path,
            "--webhook-url",
            f"http://127.0.0.1:{port}/hook",
            "--listen",
            "127.0.0.1",
            "--port",
            str(port),
            "--secret-token",
            secret,
            "--debug",
            quiet=False,
        )
        try:
            [hook] = api.wait_for(lambda calls: [c for c in calls if c.method == "setWebhook"], START_TIMEOUT)
            assert hook.params["url"] == f"http://127.0.0.1:{port}/hook"
            assert hook.params["secret_token"] == secret
            _wait_listening(port)
            url = f"http://127.0.0.1:{port}/hook"
            wrong = {"update_id": 1, "message": api.message(4001, QUESTION)}
            assert _post(url, wrong, "wrong-secret") == 403
            right = {"update_id": 2, "message": api.message(4002, QUESTION)}
            assert _post(url, right, secret) == 200
            [answer] = answers_in(api, 4002)
            assert "88所" in answer.params["text"]
            assert api.sent_to(4001) == []
            assert bot.stop(signal.SIGINT) == 0  # Ctrl-C
        finally:
            bot.kill()
    output = bot.output()
    assert "[REDACTED]" in output  # debug logging prints the API URL, with the token redacted
    assert TOKEN not in output and TOKEN.split(":")[1] not in output and secret not in output
