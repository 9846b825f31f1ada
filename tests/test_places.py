"""Places (retrieval/lang/places.py): division names, short forms and parents; a report's places
from its title, file name and opening lines; questions answered from the place they name."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.ingest.documents import make_document
from tests.conftest import shown
from retrieval.lang.places import (COUNTY, PREFECTURE, PROVINCE, Coverage, Place, default_gazetteer,
                                   office_places, report_places, shaped_like_place)

GAZ = default_gazetteer()


def _one(name: str) -> Place:
    return GAZ.named(name)[0]


@pytest.mark.parametrize("form, full", [
    ("四川", "四川省"), ("四川省", "四川省"), ("北京", "北京市"), ("香港", "香港特别行政区"),
    ("广西", "广西壮族自治区"), ("广西自治区", "广西壮族自治区"), ("宁夏", "宁夏回族自治区"),
    ("新疆", "新疆维吾尔自治区"), ("内蒙古", "内蒙古自治区"), ("西藏", "西藏自治区"),
    ("黔东南", "黔东南苗族侗族自治州"), ("黔东南州", "黔东南苗族侗族自治州"), ("湘西州", "湘西土家族苗族自治州"),
    ("伊犁", "伊犁哈萨克自治州"), ("和田", "和田地区"), ("锡林郭勒", "锡林郭勒盟"), ("怀化", "怀化市"),
    ("吉林", "吉林省"), ("海南", "海南省"),
])
def test_short_forms_name_the_division(form: str, full: str):
    assert _one(form).name == full


def test_levels_and_parents():
    guzhang = _one("古丈县")
    assert (guzhang.level, _one("湘西州").level, _one("湖南").level) == (COUNTY, PREFECTURE, PROVINCE)
    assert [p.name for p in GAZ.ancestors(guzhang)] == ["湘西土家族苗族自治州", "湖南省"]
    assert GAZ.contains(_one("湖南省"), guzhang) and GAZ.contains(_one("湘西州"), guzhang)
    assert not GAZ.contains(guzhang, _one("湖南省")) and not GAZ.contains(_one("贵州"), guzhang)
    assert GAZ.parent(_one("重庆市")) is None  # a municipality is not listed again as its own city
    assert GAZ.ancestors(_one("济源市"))[0].name == "河南省"  # a county-level city under its province


def test_running_text_reads_divisions_but_not_common_words():
    def names(text: str) -> list[str]:
        return [p.name for p in GAZ.resolve(GAZ.mentions(text))]

    assert names("四川去年新修了多少公里高速公路？") == ["四川省"]
    assert names("从北京到长沙的高铁票价是多少？") == ["北京市", "长沙市"]
    assert names("数据来自市教育局") == []  # 来自市 is no place
    assert names("城区学校大班额") == [] and names("全市和县里的学校") == []
    assert names("学生平安") == [] and names("幸福安康") == []  # a county's short form, a common word
    # The place that only locates another is dropped; a name is read in its context.
    assert names("长葛市入选河南省国培项目县") == ["长葛市"]
    assert [GAZ.label(p) for p in GAZ.resolve(GAZ.mentions("上海市普陀区财政局"))] == ["上海市普陀区"]


def test_names_the_data_does_not_know():
    assert office_places("XX县教育体育局2024年工作总结") == ["XX县"]
    assert office_places("2024_某某县教育局_工作总结") == ["某某县"]
    assert office_places("数据来自市教育局，全县学校") == []
    assert shaped_like_place("凤凰县") and shaped_like_place("xx县")
    assert not shaped_like_place("全县") and not shaped_like_place("来自市")


@pytest.mark.parametrize("title, stem, opening, places", [
    ("2025年宁夏政府工作报告", "2025年宁夏政府工作报告", ["来源：青海日报"], ("宁夏回族自治区",)),
    ("江西省2022年国民经济和社会发展统计公报", "江西省2022年统计公报_宜春市政府网", [], ("江西省",)),
    ("2021年教育工作总结", "2021_溆浦县教育局_教育工作总结", [], ("溆浦县",)),
    ("XX县教育体育局2024年工作总结和2025年工作计划", "x", [], ("XX县",)),
    ("上海市普陀区2025年区级部门预算", "x", [], ("上海市普陀区",)),
    ("2024年国民经济和社会发展统计公报", "gongbao", ["南京市统计局  国家统计局南京调查队"], ("南京市",)),
    ("2025年和田地区国民经济和社会发展", "x", [], ("和田地区",)),
    ("2010年中华人民共和国国务院政府工作报告", "2010", ["国务院总理 温家宝"], ()),
    ("2021年民政事业发展统计公报", "x", ["全国民政部门登记和管理的机构"], ()),
])
def test_a_reports_places_come_from_its_title_file_name_and_office(title, stem, opening, places):
    assert report_places(title, stem, opening) == places


def test_a_document_never_takes_a_place_from_a_phrase_in_its_body():
    text = "2024年国民经济和社会发展统计公报\n一、综合\n" + "数据来自市教育局。全市学校120所。\n" * 5
    doc = make_document("a", "2024年统计公报.txt", text)
    assert doc.places == () and "来自市" not in doc.issuer
    doc = make_document("b", "2021_溆浦县教育局_教育工作总结.txt", "2021年教育工作总结\n数据来自市教育局。")
    assert doc.places == ("溆浦县",)


def test_coverage_relates_questions_to_the_reports_places():
    cover = Coverage(GAZ, [["古丈县"], ["长葛市"], ["xx县"], ["上海市普陀区"]])
    assert cover.complete

    def asked(question: str) -> list[str]:
        return [p.name for p in cover.asked(question, [w for w in ("xx县",) if w in question])]

    assert asked("古丈有多少所学校") == ["古丈县"]  # a report's own short form counts
    assert asked("长葛入选河南省国培项目县") == ["长葛市"]
    assert asked("xx县学校多少所") == ["xx县"]
    assert asked("普陀区预算") == ["普陀区"] and cover.about(cover.asked("普陀区预算")[0]) == [False, False, False, True]
    assert cover.related(_one("湖南省")) and cover.related(_one("湘西州"))  # contains 古丈县
    assert not cover.related(_one("四川省")) and not cover.related(_one("吉首市"))


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
            _REPORT.format(place=place, growth=growth, grain=grain, jobs=jobs), encoding="utf-8")
    # Other matters and years: an earlier report that also gives a growth rate, and a bulletin.
    (corpus / "2023年甘肃省生态环境工作报告.txt").write_text(
        "2023年甘肃省生态环境工作报告\n一、空气质量\n全省地区生产总值增长6.4%，城市空气质量优良天数比例为90%。\n",
        encoding="utf-8")
    for name in ("青海生态环境状况公报", "西藏生态环境状况公报", "云南生态环境状况公报"):
        (corpus / f"{name}.txt").write_text(
            f"{name}\n一、空气质量\n城市空气质量优良天数比例为90%。\n二、水环境\n"
            f"国控断面水质优良比例为95%。数据来自市生态环境局。\n", encoding="utf-8")
    # A city's communiqué: no report year in its title, named by its place.
    (corpus / "hefei.txt").write_text("合肥市2023年国民经济和社会发展统计公报\n合肥市统计局\n一、综合\n"
                                      "初步核算，全年全市地区生产总值12673.8亿元，比上年增长5.8%。\n", encoding="utf-8")


@pytest.fixture(scope="module")
def provinces(tmp_path_factory):
    root = tmp_path_factory.mktemp("provinces")
    (root / "reports").mkdir()
    _write_provinces(root / "reports")
    return _engine(root)


@pytest.mark.parametrize("question, report, figure", [
    ("安徽去年地区生产总值增长多少？", "安徽省", "5.8%"),
    ("江西省2024年粮食总产量是多少？", "江西省", "438.5亿斤"),
    ("江西今年城镇新增就业目标多少？", "江西省", "45万人"),
    ("合肥2023年地区生产总值是多少？", "hefei", "12673.8亿元"),  # the place wins over the year's reports
])
def test_a_question_naming_a_province_is_answered_from_its_report(provinces, question, report, figure):
    first = shown(provinces.answer(question))[0]  # answered, or unsure with it shown first
    assert report in first.citation.path and figure in first.text


def test_a_question_naming_another_province_is_refused(provinces):
    answer = provinces.answer("四川去年地区生产总值增长多少？")
    assert not answer.answered and answer.refusal.reason == "place_not_in_corpus"
    assert "四川省" in answer.message
    assert "现有7份报告，涉及" in answer.message and "来自市" not in answer.message
    assert sorted(p for d in provinces.documents for p in d.places) == [
        "云南省", "合肥市", "安徽省", "江西省", "甘肃省", "西藏自治区", "青海省"]


def test_with_a_national_report_a_passage_must_name_the_place(tmp_path):
    """A national report has no place, so a question about a place no report is about is not
    refused up front; it is refused because the best passage does not name it either (nothing of
    another place is shown), and the message says so."""
    (tmp_path / "reports").mkdir()
    _write_provinces(tmp_path / "reports")
    (tmp_path / "reports" / "2024年中华人民共和国国务院政府工作报告.txt").write_text(
        "2024年中华人民共和国国务院政府工作报告\n一、2023年工作回顾\n全国高速公路新增通车里程8000公里。\n",
        encoding="utf-8")
    engine = _engine(tmp_path)
    assert [d.places for d in engine.documents if "国务院" in d.title] == [()]
    answer = engine.answer("四川去年地区生产总值增长多少？")
    assert not answer.answered and answer.refusal.reason == "place_not_in_corpus"
    assert answer.message.startswith("现有报告不涉及四川省") and not answer.closest
    assert "安徽省" in shown(engine.answer("安徽去年地区生产总值增长多少？"))[0].citation.path
