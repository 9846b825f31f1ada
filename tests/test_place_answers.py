"""Questions answered from the place they name, on small corpora the tests write: provincial
reports, a city's communiqué, a national report (retrieval/lang/places.py end to end)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import shown

_REPORT = """2025年{place}政府工作报告
来源：{place}日报
各位代表：
一、2024年工作回顾
过去一年，全省地区生产总值增长{growth}%，粮食总产量{grain}亿斤。数据来自市统计局。
二、2025年工作安排
今年全省城镇新增就业{jobs}万人以上。
"""


def _engine(root: Path):
    from config import load_settings
    from retrieval import Engine

    return Engine.open(load_settings(overrides={"corpus": str(root / "reports"), "cache_dir": str(root / "cache")}))


def _write_provinces(corpus: Path) -> None:
    for place, growth, grain, jobs in (("安徽省", "5.8", "835.2", "70"), ("江西省", "5.1", "438.5", "45")):
        (corpus / f"2025年{place}政府工作报告.txt").write_text(
            _REPORT.format(place=place, growth=growth, grain=grain, jobs=jobs), encoding="utf-8"
        )
    # Other matters and years: an earlier report that also gives a growth rate, and a bulletin.
    (corpus / "2023年甘肃省生态环境工作报告.txt").write_text(
        "2023年甘肃省生态环境工作报告\n一、空气质量\n全省地区生产总值增长6.4%，城市空气质量优良天数比例为90%。\n",
        encoding="utf-8",
    )
    for name in ("青海生态环境状况公报", "西藏生态环境状况公报", "云南生态环境状况公报"):
        (corpus / f"{name}.txt").write_text(
            f"{name}\n一、空气质量\n城市空气质量优良天数比例为90%。\n二、水环境\n"
            f"国控断面水质优良比例为95%。数据来自市生态环境局。\n",
            encoding="utf-8",
        )
    # A city's communiqué: no report year in its title, named by its place.
    (corpus / "hefei.txt").write_text(
        "合肥市2023年国民经济和社会发展统计公报\n合肥市统计局\n一、综合\n"
        "初步核算，全年全市地区生产总值12673.8亿元，比上年增长5.8%。\n",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def provinces(tmp_path_factory):
    root = tmp_path_factory.mktemp("provinces")
    (root / "reports").mkdir()
    _write_provinces(root / "reports")
    return _engine(root)


@pytest.mark.parametrize(
    "question, report, figure",
    [
        ("安徽去年地区生产总值增长多少？", "安徽省", "5.8%"),
        ("江西省2024年粮食总产量是多少？", "江西省", "438.5亿斤"),
        ("江西今年城镇新增就业目标多少？", "江西省", "45万人"),
        ("合肥2023年地区生产总值是多少？", "hefei", "12673.8亿元"),  # the place wins over the year's reports
    ],
)
def test_a_question_naming_a_province_is_answered_from_its_report(provinces, question, report, figure):
    first = shown(provinces.answer(question))[0]  # answered, or unsure with it shown first
    assert report in first.citation.path and figure in first.text


def test_a_question_naming_another_province_is_refused(provinces):
    answer = provinces.answer("四川去年地区生产总值增长多少？")
    assert not answer.answered and answer.refusal.reason == "place_not_in_corpus"
    assert "四川省" in answer.message
    assert "现有7份报告，涉及" in answer.message and "来自市" not in answer.message
    assert sorted(p for d in provinces.documents for p in d.places) == [
        "云南省",
        "合肥市",
        "安徽省",
        "江西省",
        "甘肃省",
        "西藏自治区",
        "青海省",
    ]


def test_with_a_national_report_a_passage_must_name_the_place(tmp_path):
    """A national report has no place, so a question about a place no report is about is not
    refused up front; it is refused because the best passage does not name it either (nothing of
    another place is shown), and the message says so."""
    (tmp_path / "reports").mkdir()
    _write_provinces(tmp_path / "reports")
    (tmp_path / "reports" / "2024年中华人民共和国国务院政府工作报告.txt").write_text(
        "2024年中华人民共和国国务院政府工作报告\n一、2023年工作回顾\n全国高速公路新增通车里程8000公里。\n",
        encoding="utf-8",
    )
    engine = _engine(tmp_path)
    assert [d.places for d in engine.documents if "国务院" in d.title] == [()]
    answer = engine.answer("四川去年地区生产总值增长多少？")
    assert not answer.answered and answer.refusal.reason == "place_not_in_corpus"
    assert answer.message.startswith("现有报告不涉及四川省") and not answer.closest
    assert "安徽省" in shown(engine.answer("安徽去年地区生产总值增长多少？"))[0].citation.path
