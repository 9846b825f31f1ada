"""Terminal and JSON renderings keep corpus text from acting on the terminal."""

from __future__ import annotations

import json

from bot import render
from retrieval import Answer
from retrieval.types import Citation, Document, Sentence

HOSTILE = "全县\x1b]0;title\x07有学校\x1b[2J12所\x9b31m，\u202e完成\u202c。"


def _citation(path: str = "报告\x1b[1m.txt") -> Citation:
    return Citation("d", "标题\x1b[5m", path, "一、概况", 1, 0, 10, 0, 10)


def _answer() -> Answer:
    return Answer("问题", True, (Sentence(HOSTILE, 1.0, _citation()),))


def test_terminal_safe_replaces_controls_and_keeps_text():
    out = render.terminal_safe("第一行\t数据\n第二行\x1b[31m红\x9b\u202e\x7f")
    assert out == "第一行\t数据\n第二行\ufffd[31m红\ufffd\ufffd\ufffd"


def test_answer_text_carries_no_escape_sequences():
    out = render.answer_text(_answer())
    assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out and "\u202e" not in out
    assert "有学校" in out and "12所" in out and "一、概况" in out


def test_refusal_text_keeps_closest_sentences_apart_and_safe():
    refusal = Answer("问题", False, message="没有找到\x1b[2J。", closest=(Sentence(HOSTILE, 1.0, _citation()),))
    out = render.answer_text(refusal)
    assert "\x1b" not in out and "\u202e" not in out
    lines = out.splitlines()
    assert lines[0] == "没有找到\ufffd[2J。" and lines[1] == "" and lines[2] == render.CLOSEST_HEADING
    assert lines[3].startswith("[1] 全县") and lines[4].startswith("    —— 标题")
    assert render.answer_text(Answer("问题", False, message="没有找到。")) == "没有找到。"


def test_answer_json_escapes_c1_and_bidi_but_round_trips():
    line = render.answer_json(_answer())
    assert "\x9b" not in line and "\u202e" not in line and "\x1b" not in line
    assert json.loads(line)["sentences"][0]["text"] == HOSTILE


def test_listings_are_terminal_safe():
    doc = Document("d", "a\x1b[2J.txt", "标题\x9b2J", "正文")
    assert "\x1b" not in render.sources_text([doc]) and "\x9b" not in render.sources_text([doc])
