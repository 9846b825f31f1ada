"""Places (retrieval/lang/places.py): division names, short forms and parents; a report's places
from its title, file name and opening lines; a question's places against the reports'."""

from __future__ import annotations

import pytest

from retrieval.ingest.documents import make_document
from retrieval.lang.places import (
    COUNTY,
    PREFECTURE,
    PROVINCE,
    Coverage,
    Place,
    default_gazetteer,
    names_nation,
    office_places,
    report_places,
    shaped_like_place,
)

GAZ = default_gazetteer()


def _one(name: str) -> Place:
    return GAZ.named(name)[0]


@pytest.mark.parametrize(
    "form, full",
    [
        ("四川", "四川省"),
        ("四川省", "四川省"),
        ("北京", "北京市"),
        ("香港", "香港特别行政区"),
        ("广西", "广西壮族自治区"),
        ("广西自治区", "广西壮族自治区"),
        ("宁夏", "宁夏回族自治区"),
        ("新疆", "新疆维吾尔自治区"),
        ("内蒙古", "内蒙古自治区"),
        ("西藏", "西藏自治区"),
        ("黔东南", "黔东南苗族侗族自治州"),
        ("黔东南州", "黔东南苗族侗族自治州"),
        ("湘西州", "湘西土家族苗族自治州"),
        ("伊犁", "伊犁哈萨克自治州"),
        ("和田", "和田地区"),
        ("锡林郭勒", "锡林郭勒盟"),
        ("怀化", "怀化市"),
        ("吉林", "吉林省"),
        ("海南", "海南省"),
    ],
)
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
    assert office_places("处级干部，以及市委下属各个党组织") == []  # 以及市: a conjunction, no place
    assert shaped_like_place("凤凰县") and shaped_like_place("xx县")
    assert not shaped_like_place("全县") and not shaped_like_place("来自市")


@pytest.mark.parametrize(
    "title, stem, opening, places",
    [
        ("2025年宁夏政府工作报告", "2025年宁夏政府工作报告", ["来源：青海日报"], ("宁夏回族自治区",)),
        ("江西省2022年国民经济和社会发展统计公报", "江西省2022年统计公报_宜春市政府网", [], ("江西省",)),
        ("2021年教育工作总结", "2021_溆浦县教育局_教育工作总结", [], ("溆浦县",)),
        ("XX县教育体育局2024年工作总结和2025年工作计划", "x", [], ("XX县",)),
        ("上海市普陀区2025年区级部门预算", "x", [], ("上海市普陀区",)),
        ("2024年国民经济和社会发展统计公报", "gongbao", ["南京市统计局  国家统计局南京调查队"], ("南京市",)),
        ("2025年和田地区国民经济和社会发展", "x", [], ("和田地区",)),
        ("2010年中华人民共和国国务院政府工作报告", "2010", ["国务院总理 温家宝"], ()),
        ("2021年民政事业发展统计公报", "x", ["全国民政部门登记和管理的机构"], ()),
        # A long opening line is body text, not an office: 大多市政府 in it makes no place.
        ("段落1", "00001", ["多伦多是加拿大最大的城市，为省以下的一级区划。大多市政府负责管理公共运输等事务。"], ()),
    ],
)
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
    assert asked("普陀区预算") == ["普陀区"] and cover.about(cover.asked("普陀区预算")[0]) == [
        False,
        False,
        False,
        True,
    ]
    assert cover.related(_one("湖南省")) and cover.related(_one("湘西州"))  # contains 古丈县
    assert not cover.related(_one("四川省")) and not cover.related(_one("吉首市"))


def test_a_question_names_the_nation_by_its_words():
    assert names_nation("2023年全国城镇新增就业多少人") and names_nation("我国农民工总量是多少")
    assert not names_nation("古丈县城镇新增就业多少人")


def test_national_reports_are_told_apart_only_among_place_reports():
    assert Coverage(GAZ, [["古丈县"], [], ["长葛市"]]).national() == [False, True, False]
    assert Coverage(GAZ, [[], []]).national() is None  # every report national: nothing to choose
    assert Coverage(GAZ, [["古丈县"], ["长葛市"]]).national() is None
