"""Follow-up questions (retrieval/dialogue/followup.py) on made-up places and questions, and the
engine's conversation entry point (Engine.ask_in) on the seed reports."""

from __future__ import annotations

import re

import pytest

from config import ConfigError
from retrieval.dialogue.followup import (
    ATTRIBUTE,
    DRILL,
    PLACE,
    TIME,
    Conversation,
    Lexicon,
    Resolution,
    Source,
    follow,
    resolve,
)
from retrieval.dialogue.lexicon import DIALOGUE_FILE, load_words
from retrieval.lang.text import default_tokenizer

LEXICON = Lexicon([("青山县", (2023, 2024)), ("绿水市", (2023, 2024)), ("白云区", (2021,))], complete=True)
SOURCE = Source("青山县教育局2023年工作总结及2024年工作计划", "qingshan.txt", ("青山县",), (2023, 2024), "一、基本情况")


def cut(text: str) -> list[str]:
    return default_tokenizer().words(text)


def conv(
    question: str, place: str = "青山县", year: int | None = None, topic: str = "", source: Source | None = SOURCE
) -> Conversation:
    return Conversation(question=question, place=place, year=year, topic=topic, answered=True, source=source, turns=1)


def ask(message: str, conversation: Conversation | None) -> Resolution:
    return resolve(message, conversation, LEXICON, cut=cut)


# --- place switch --------------------------------------------------------------------------------
def test_place_switch_asks_the_same_question_of_another_place():
    r = ask("那绿水市呢？", conv("青山县共有学校多少所？"))
    assert r == Resolution("绿水市共有学校多少所？", True, PLACE, "绿水市", "")


def test_place_switch_by_short_name_and_short_name_in_the_question():
    r = ask("绿水呢", conv("青山共有学校多少所？"))
    assert r.rewritten and r.kind == PLACE and r.question == "绿水共有学校多少所？"


def test_place_switch_drops_a_year_the_other_place_has_no_report_for():
    r = ask("白云区呢？", conv("青山县2023年新增学位多少个？", year=2023))
    assert r.question == "白云区新增学位多少个？"


def test_place_switch_to_a_place_no_report_is_about_is_still_a_place_switch():
    r = ask("那红河州呢？", conv("青山县共有学校多少所？"))
    assert r.kind == PLACE and r.place == "红河州" and not LEXICON.known("红河州")


def test_place_and_attribute_switch_together():
    r = ask("绿水市的教师呢？", conv("青山县共有学生多少人？"))
    assert r.kind == PLACE and r.question == "绿水市共有教师多少人？"


# --- attribute switch ----------------------------------------------------------------------------
def test_attribute_replaces_the_word_it_shares_characters_with():
    r = ask("二本呢？", conv("青山县2023年高考一本上线多少人？", year=2023))
    assert r == Resolution("青山县2023年高考二本上线多少人？", True, ATTRIBUTE, "", "二本")


def test_attribute_replaces_the_subject_before_the_question_word():
    r = ask("老师呢？", conv("青山县共有学生多少人？"))
    assert r.kind == ATTRIBUTE and r.question == "青山县共有老师多少人？"


def test_attribute_without_word_cutting_asks_it_the_same_way_in_the_same_place():
    r = resolve("老师呢？", conv("青山县共有学生多少人？"), LEXICON)
    assert r.kind == ATTRIBUTE and r.question == "青山县老师有多少？"


# --- drill-down ----------------------------------------------------------------------------------
def test_pointer_drills_into_the_conversation_topic_in_its_report():
    r = ask("其中高中有几所？", conv("青山县现有学校多少所？", topic="现有学校"))
    assert r.kind == DRILL and r.question == "青山县现有学校中高中有几所？" and r.own == "高中有几所"


def test_short_message_without_a_subject_is_a_drill_down():
    r = ask("花了多少钱？", conv("青山县新建了几所学校？", topic="新建了学校"))
    assert r.kind == DRILL and r.question == "青山县新建了学校花了多少钱？"


def test_a_comparison_with_last_year_is_not_another_year():
    r = ask("比去年多了多少？", conv("青山县中考600分以上有多少人？", topic="中考600分以上"))
    assert r.kind == DRILL and "比去年" in r.question and "2022" not in r.question


def test_without_a_place_the_report_year_picks_the_report():
    source = Source("2024年工作报告", "2024.txt", (), (2024,), "")
    r = ask("其中农村多少？", conv("新增就业多少人？", place="", topic="新增就业", source=source))
    assert r.kind == DRILL and r.question == "2024年新增就业中农村多少？"


# --- time switch ---------------------------------------------------------------------------------
def test_last_year_counts_from_the_report_year():
    r = ask("去年呢？", conv("青山县共有学校多少所？"))
    assert r == Resolution("青山县2022年共有学校多少所？", True, TIME, "", "")


def test_a_named_year_replaces_the_year_asked_about():
    r = ask("2021年呢？", conv("青山县2023年共有学校多少所？", year=2023))
    assert r.kind == TIME and r.question == "青山县2021年共有学校多少所？"


def test_a_later_year_is_asked_about_as_a_plan():
    r = ask("明年呢？", conv("青山县新增学位多少个？"))
    assert r.kind == TIME and r.question == "青山县2024年计划新增学位多少个？"


def test_next_year_with_its_own_question_keeps_it():
    r = ask("明年打算怎么做？", conv("青山县控辍保学做了什么？"))
    assert r.kind == TIME and r.question == "青山县2024年打算怎么做？"


# --- never rewritten -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "message",
    [
        "绿水市共有学生多少人？",  # names its own place
        "红河州去年新建了几所学校？",  # names a place the reports do not cover
        "全国中小学生的近视率大概是多少呢？",  # long enough to stand alone
        "各地是怎么整治校外培训机构的？",  # about every place
        "",
    ],
)
def test_full_questions_are_never_rewritten(message):
    r = ask(message, conv("青山县共有学校多少所？"))
    assert r == Resolution(message)


def test_nothing_is_rewritten_without_a_conversation():
    assert ask("那绿水市呢？", None) == Resolution("那绿水市呢？")
    assert ask("老师呢？", Conversation()) == Resolution("老师呢？")


# --- the record of a turn --------------------------------------------------------------------------
def test_follow_takes_the_place_from_the_answering_report():
    after = follow(None, Resolution("全县共有学校多少所？"), True, SOURCE, LEXICON)
    assert after.place == "青山县" and after.year is None and after.base_year == 2023
    assert after.topic == "全县共有学校" and after.turns == 1 and not after.plan


def test_follow_keeps_the_topic_through_a_drill_down_and_the_source_through_a_refusal():
    first = follow(None, Resolution("青山县2023年新建了几所学校？"), True, SOURCE, LEXICON)
    assert first.year == 2023 and first.topic == "新建了学校"
    drilled = follow(first, Resolution("青山县新建了学校花了多少钱？", True, DRILL), True, SOURCE, LEXICON)
    assert drilled.topic == "新建了学校" and drilled.turns == 2
    refused = follow(drilled, Resolution("红河州新建了学校花了多少钱？", True, PLACE, "红河州"), False, None, LEXICON)
    assert refused.place == "红河州" and refused.source == SOURCE and not refused.answered


def test_plan_part_of_a_source():
    assert Source("t", "p", section="四、2025年工作计划 › 1.加强党的领导").plan
    assert not SOURCE.plan


def test_bad_word_lists_are_reported(tmp_path):
    bad = tmp_path / "dialogue.toml"
    good = DIALOGUE_FILE.read_text(encoding="utf-8")
    assert load_words(DIALOGUE_FILE).openers
    bad.write_text(re.sub(r"(?m)^openers = .*$", 'openers = "那"', good), encoding="utf-8")
    with pytest.raises(ConfigError, match="openers"):
        load_words(bad)
    bad.write_text("openers = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_words(bad)


# --- the engine ----------------------------------------------------------------------------------


def test_attribute_replaces_the_noun_asked_for_after_the_question_word():
    r = ask("那学生呢？", conv("青山县有多少老师？"))
    assert r.kind == ATTRIBUTE and r.question == "青山县有多少学生？"


@pytest.mark.parametrize("message", ["来源", "谢谢", "👍", "好的"])
def test_a_message_that_asks_nothing_is_not_rewritten(message):
    r = ask(message, conv("青山县有多少老师？", topic="老师"))
    assert not r.rewritten and r.question == message
