"""The engine's conversation entry point (Engine.ask_in) on the seed reports (follow-up rules
are unit-tested in tests/unit/dialogue/test_dialogue.py)."""

from __future__ import annotations

import json


def test_engine_answers_a_follow_up_from_the_named_report(engine):
    first, state = engine.ask_in(None, "古丈县全县共有学生多少人？")
    assert first.resolved == first.question and not first.rewritten
    second, state = engine.ask_in(state, "那长葛市呢？")
    assert second.question == "那长葛市呢？" and second.rewritten
    assert second.resolved.startswith("长葛市")
    assert all("长葛" in s.citation.path for s in second.sentences)
    data = second.to_json()
    assert data["question"] == "那长葛市呢？" and data["resolved"] == second.resolved
    assert state.turns == 2 and state.place == "长葛市"


def test_engine_refuses_a_place_no_report_is_about(engine):
    _, state = engine.ask_in(None, "古丈县现有各级各类学校多少所？")
    answer, state = engine.ask_in(state, "那凤凰县呢？")
    assert not answer.answered and "凤凰县" in answer.message and not answer.sentences
    assert state.place == "凤凰县"


def test_engine_refuses_a_follow_up_about_a_word_the_report_never_uses(engine):
    _, state = engine.ask_in(None, "古丈县全县共有学生多少人？")
    answer, _ = engine.ask_in(state, "宇航员呢？")
    assert not answer.answered and "宇航员" in answer.message


def test_engine_leaves_a_full_question_alone(engine):
    _, state = engine.ask_in(None, "古丈县现有各级各类学校多少所？")
    alone = engine.answer("溆浦县一年来共补充教师多少人？")
    chatted, _ = engine.ask_in(state, "溆浦县一年来共补充教师多少人？")
    assert chatted.resolved == chatted.question and chatted.sentences == alone.sentences
    assert json.loads(json.dumps(chatted.to_json()))["resolved"] == "溆浦县一年来共补充教师多少人？"


def test_empty_and_too_long_messages_leave_the_conversation(engine):
    _, state = engine.ask_in(None, "古丈县现有各级各类学校多少所？")
    answer, after = engine.ask_in(state, "   ")
    assert not answer.answered and after == state
    answer, after = engine.ask_in(state, "问" * 600)
    assert not answer.answered and "太长" in answer.message and after == state
