"""Load benchmark (``make bench``): 50 chats send 10 questions each, as fast as they can.

Every question must get exactly one answer, in its own chat, with the text the engine gives for
that question. Prints the time taken and answers per second; figures go in docs/telegram.md.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path

import pytest
from tg_fakeapi import FakeBotAPIServer, FakeTelegram
from tg_html import plain, problems
from tg_process import ROOT, BotProcess

CHATS = 50
PER_CHAT = 10
FIRST_CHAT = 500_000


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _key(text: str) -> str:
    """What identifies an answer: its first sentence, or the whole refusal."""
    first = plain(text).split("\n", 1)[0]
    return first[len("[1] ") :] if first.startswith("[1] ") else first


@pytest.mark.bench
def test_fifty_chats_ten_questions_each(engine, _isolated_cache, tmp_path):
    questions = [json.loads(line)["question"] for line in (ROOT / "tests/data/dev.jsonl").open(encoding="utf-8")]
    plan = {
        FIRST_CHAT + c: [questions[(c * PER_CHAT + i) % len(questions)] for i in range(PER_CHAT)] for c in range(CHATS)
    }
    expected: dict[int, Counter] = {}
    started = time.perf_counter()
    cpu_started = time.process_time()
    for chat, asked in plan.items():
        keys = []
        for q in asked:
            answer = engine.answer(q)
            keys.append(answer.sentences[0].text if answer.answered else answer.message.split("\n")[0])
        expected[chat] = Counter(keys)
    engine_seconds = time.perf_counter() - started
    engine_cpu = time.process_time() - cpu_started

    with FakeBotAPIServer(FakeTelegram(max_poll_wait=1.0)) as server:
        api = server.api
        bot = BotProcess(server, _isolated_cache, tmp_path)
        try:
            bot.wait_ready()
            total = CHATS * PER_CHAT
            bot_cpu = _cpu_seconds(bot.proc.pid)
            started = time.perf_counter()
            for i in range(PER_CHAT):  # interleaved, as if every chat typed at once
                for chat, asked in plan.items():
                    api.push_message(chat, asked[i])

            def all_answered(calls):
                return sum(1 for c in calls if c.method == "sendMessage") >= total

            api.wait_for(all_answered, timeout=600)
            elapsed = time.perf_counter() - started
            bot_cpu = _cpu_seconds(bot.proc.pid) - bot_cpu
            time.sleep(0.5)  # anything extra (a duplicate) would show up now
            assert bot.stop() == 0
        finally:
            bot.kill()

    sent = api.calls_of("sendMessage")
    assert len(sent) == total
    for chat in plan:
        mine = [c for c in sent if int(c.params["chat_id"]) == chat]
        assert len(mine) == PER_CHAT, chat
        assert Counter(_key(c.params["text"]) for c in mine) == expected[chat], chat
    assert all(problems(c.params["text"]) == [] for c in sent)
    print(
        f"\n{total} questions from {CHATS} chats answered in {elapsed:.2f} s: "
        f"{total / elapsed:.1f} answers/s through the bot, bot process CPU {bot_cpu:.2f} s "
        f"({1000 * bot_cpu / total:.1f} ms a question)\n"
        f"engine alone in-process: {engine_seconds:.2f} s, {total / engine_seconds:.1f} answers/s, "
        f"CPU {1000 * engine_cpu / total:.1f} ms a question"
    )
