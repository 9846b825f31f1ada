"""Web pages as gov.cn sites publish them: a page that closes </html> in its header is read, the
page's tools and disclosure index are dropped, a heading's nested date and font-size tools stay
out of the title, and tables printed as pictures are counted for the index summary."""

from __future__ import annotations

from pathlib import Path

from retrieval.ingest.formats.furniture import drop_furniture, is_furniture, join_labels
from retrieval.ingest.formats.html import read_html
from retrieval.ingest.loader import discover
from retrieval.ingest.process import process_file
from retrieval.ingest.result import FileResult

BODY = (
    "<p>2022年，全市上下坚持稳中求进工作总基调，经济运行总体平稳。</p>"
    "<p>初步核算，全年地区生产总值3473.12亿元，同比增长5.3%。</p>"
)


def test_a_page_that_closes_html_in_its_header_is_read():
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>统计公报 | 中国某市</title>
    <script>var a = 1;</script></head></html>
    <body><div class="content"><h1>某市2022年统计公报</h1>{BODY}</div></body></html>"""
    got = read_html(page.encode("utf-8"))
    assert got.title == "某市2022年统计公报" and "3473.12亿元" in got.text


def test_disclosure_index_and_page_tools_are_dropped_and_their_data_kept():
    page = f"""<html><head><meta charset="utf-8"><title>统计公报</title></head><body>
    <div class="xxgk"><table><tr><td>索\u2002引\u2002号：</td><td>014717475N/2023-0040295</td></tr>
    <tr><td>发布机构：</td><td>某市统计局</td></tr><tr><td>发文日期：</td><td>2023-04-18</td></tr>
    <tr><td>公开方式：</td><td>主动公开</td></tr><tr><td>分类：</td><td>统计公报</td></tr></table></div>
    <div class="article"><h1>某市2022年统计公报</h1><p>访问量：4859</p><p>字体：大 中 小</p>
    <p>打印</p>{BODY}<p>附件：</p><p>扫一扫在手机打开当前页</p><p>【返回顶部】【关闭窗口】</p>
    <p>分享到：</p></div></body></html>"""
    got = read_html(page.encode("utf-8"))
    lines = got.text.splitlines()
    assert lines[0] == "某市2022年统计公报" and lines[1].startswith("2022年，全市上下")
    assert lines[-1].startswith("初步核算") and len(lines) == 3
    assert got.meta["published"] == "2023-04-18"


def test_heading_with_nested_date_and_tools_gives_a_clean_title():
    page = f"""<html><head><meta charset="utf-8"><title>报告_上海市政府网</title></head><body>
    <div class="Article"><h2 class="Article-title">关于某市2025年预算执行情况的报告
    <small>2026-05-15 <span>来源：某市财政局</span></small>
    <div class="zihao"><span>字号：</span><a>大</a><a>中</a><a>小</a></div></h2>
    <div class="Article_content">{BODY}</div></div></body></html>"""
    got = read_html(page.encode("utf-8"))
    assert got.title == "关于某市2025年预算执行情况的报告"
    assert not any(line.startswith("字号") for line in got.text.splitlines())


def test_tables_printed_as_pictures_are_counted(tmp_path: Path):
    page = f"""<html><head><meta charset="utf-8"><title>统计公报</title></head><body>
    <div class="content"><h1>某省2022年统计公报</h1>{BODY}
    <p align="center"><font>表</font><font>1  2022年年末常住人口数及其构成</font></p>
    <p align="center"><img src="t1.png"></p>{BODY}
    <p>表2  2022年居民消费价格涨跌幅度</p><p>单位：%</p><p><img src="t2.png"></p>
    <p>图1  2018-2022年地区生产总值</p><p><img src="c1.png"></p>
    <p>表3  主要产品产量</p><table><tr><td>产品</td><td>产量</td></tr></table><p><img src="logo.png"></p>
    </div></body></html>"""
    assert read_html(page.encode("utf-8")).notes.image_tables == 2
    (tmp_path / "公报.html").write_bytes(page.encode("utf-8"))
    files, _ = discover(tmp_path)
    result = process_file(files[0], {"max_chunk_chars": 400})
    assert isinstance(result, FileResult) and result.notes["image_tables"] == 2 and result.notes["paragraphs"] >= 2


def test_furniture_lines_and_labels():
    for line in (
        "打印",
        "【打印】【关闭窗口】",
        "字体：大 中 小",
        "字号：【大】【中】【小】",
        "分享到：微信 微博",
        "扫一扫在手机打开当前页面",
        "访问量：4859",
        "索 引 号：014717475N",
        "关联稿件：某某",
    ):
        assert is_furniture(line), line
    for line in ("分类别看，食品烟酒类上涨2.1%。", "打印机购置费用3万元。", "资料来源：", "附件：1.统计表"):
        assert not is_furniture(line), line
    assert join_labels(["发布机构：", "某市统计局", "字号：", "大"]) == ["发布机构：某市统计局", "字号：", "大"]
    assert drop_furniture(["正文。", "分享："]) == ["正文。"]
