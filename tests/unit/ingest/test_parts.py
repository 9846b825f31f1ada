"""Documents within a document: a gazette split at the titles its table of contents lists, a
file of several years split where its outline starts again under a head of its own year; a
report with contents of its own sections, or an outline restarting in one year, stays whole."""

from __future__ import annotations

from retrieval.ingest.parts import contents_entries, split_documents

GAZETTE = """某市人民政府公报
某市人民政府办公厅编 第 3 期 2026 年 4 月 13 日
目 录
〔市人大会议文件〕
某市第七届人民代表大会第七次会议关于某市人民政府
工作报告的决议…………………………………………………… （1）
政府工作报告……………………………………………… 某市市长 张三 （2）关于某市 2025 年预算执行情况和 2026 年预算草案的
报告………………………………………………… 某市财政局局长 李四 （19）
编辑室 地址：某市市民中心 C 区 4 楼
电话：88121016
某市第七届人民代表大会第七次会议
关于某市人民政府工作报告的决议
（2026 年 2 月 11 日通过）
会议同意政府工作报告。会议号召，全市人民要更加紧密地团结起来。
政府工作报告
——2026 年 2 月 9 日在某市第七届人民代表大会第七次会议上
某市市长 张三
各位代表：
一、2025 年主要工作
全市地区生产总值增长5.5%，会议审议通过了关于某市 2025 年预算执行情况和 2026 年预算草案的
报告。
二、2026 年工作安排
今年预期目标是增长5%左右。
关于某市 2025 年预算执行情况和 2026 年
预算草案的报告
一、2025 年预算执行情况
全市一般公共预算收入1000亿元。
"""

SERIES = """某市2024年国民经济和社会发展统计公报
某市统计局
2025年3月

2024年是实现“十四五”规划目标任务的关键一年，全市经济稳中有进。
一、综合
全年地区生产总值1000亿元。
二、农业
粮食产量100万吨。


某市统计局
2024年3月

2023年是全面贯彻党的二十大精神的开局之年，全市经济回升向好。
一、综合
全年地区生产总值950亿元。
二、农业
粮食产量98万吨。
"""

REPORT_WITH_CONTENTS = """某区司法局2026年部门预算
目 录
一、部门主要职能………………………… 1
二、部门机构设置………………………… 2
三、预算情况说明………………………… 3
一、部门主要职能
负责全区法治建设。
二、部门机构设置
内设科室8个。
三、预算情况说明
2026年预算总额1000万元。
其他相关情况说明
一、2026年“三公”经费预算情况说明
2026年“三公”经费预算数为10.81万元，比上年减少1万元。
"""


def test_contents_entries_are_read_across_wrapped_and_joined_lines():
    lines = GAZETTE.splitlines()
    entries, used = contents_entries(lines[2:])
    assert entries == [
        "某市第七届人民代表大会第七次会议关于某市人民政府工作报告的决议",
        "政府工作报告",
        "关于某市2025年预算执行情况和2026年预算草案的报告",
    ]
    assert lines[2 + used - 1].endswith("（19）")


def test_gazette_is_split_at_the_titles_of_its_contents():
    parts = split_documents(GAZETTE, "某市人民政府公报")
    assert [p.title for p in parts] == [
        "某市人民政府公报",
        "某市第七届人民代表大会第七次会议关于某市人民政府工作报告的决议",
        "政府工作报告",
        "关于某市2025年预算执行情况和2026年预算草案的报告",
    ]
    starts = [GAZETTE[p.start :].splitlines()[0] for p in parts]
    assert starts == [
        "某市人民政府公报",
        "某市第七届人民代表大会第七次会议",
        "政府工作报告",
        "关于某市 2025 年预算执行情况和 2026 年",
    ]  # not the mention inside the report


def test_file_of_several_years_is_split_by_year_and_titled_like_its_first_part():
    parts = split_documents(SERIES, "汇总")
    assert len(parts) == 2 and parts[0].start == 0 and parts[0].title == ""
    assert SERIES[parts[1].start :].startswith("某市统计局\n2024年3月")
    assert parts[1].title == "某市2023年国民经济和社会发展统计公报"


def test_one_report_stays_whole():
    assert split_documents(REPORT_WITH_CONTENTS, "某区司法局2026年部门预算") == []
    same_year = SERIES.replace("2023年是全面贯彻", "2024年是全面贯彻")
    assert split_documents(same_year, "汇总") == []
    assert split_documents("一、综合\n正文。\n二、农业\n正文。\n", "报告") == []
