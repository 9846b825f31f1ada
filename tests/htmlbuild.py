"""Saved web pages of report text, written by hand in the style of a bureau's site: a site
title, navigation, a breadcrumb, the article with its 发布时间/来源 line, a share bar, a list of
related articles and a footer. Nothing here is downloaded."""

from __future__ import annotations

import html

SITE = "某某县人民政府门户网站"


def report_page(
    text: str,
    *,
    charset: str = "utf-8",
    published: str = "2024-12-30 09:15",
    source: str = "县教育局",
    meta_style: str = "charset",
) -> bytes:
    """``text`` (one paragraph a line; the first is the title) as a saved article page."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    title, body = lines[0], lines[1:]
    paragraphs = "\n".join(f'<p style="text-indent:2em">\u3000\u3000{html.escape(p)}</p>' for p in body)
    head = (
        f'<meta charset="{charset}">'
        if meta_style == "charset"
        else f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        if meta_style == "http-equiv"
        else ""
    )
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head>{head}
<title>{html.escape(title)}_{SITE}</title>
<style>.nav li {{ float: left; }} p {{ line-height: 2; }}</style>
<script>var _hmt = _hmt || []; document.write("统计代码");</script>
</head><body>
<div class="header"><div class="logo">{SITE}</div>
<div class="search"><input type="text" value="请输入关键词"><button>搜索</button></div></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/jyxx/">教育信息</a></li><li><a href="/hdjl/">互动交流</a></li></ul>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 工作总结</div>
<div class="main"><div class="article">
<h1 class="title">{html.escape(title)}</h1>
<div class="info">发布时间：{published}　来源：{source}　浏览次数：1024　字号：【大 中 小】</div>
<div class="TRS_Editor" id="zoom">
{paragraphs}
</div>
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a></div>
<div class="related"><h3>相关文章</h3><ul>
<li><a href="/a1">关于做好2025年春季学期开学工作的通知</a></li>
<li><a href="/a2">全县教育系统召开安全生产工作会议</a></li>
<li><a href="/a3">县教育局开展校园食品安全专项检查</a></li></ul></div>
</div></div>
<div class="footer"><p>主办单位：某某县人民政府办公室　版权所有　备案号：湘ICP备12345678号</p>
<p>联系电话：0743-1234567　网站标识码：4331000001</p></div>
<script>console.log("页脚脚本");</script>
</body></html>
"""
    return page.encode(charset, errors="xmlcharrefreplace")  # as browsers save


def table_page(
    text: str,
    *,
    charset: str = "gb2312",
    site: str = "某某县人民政府",
    date: str = "2022-01-12",
    source: str = "县教育局",
) -> bytes:
    """``text`` as an older site lays an article out: one table, no class names, the title in
    ``<title>`` after the site name, paragraphs separated by ``<br>``, links above and below."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    title, body = lines[0], lines[1:]
    cells = "<br>\n".join("&nbsp;&nbsp;&nbsp;&nbsp;" + html.escape(p) for p in body)
    page = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{site} - {html.escape(title)}</title></head>
<body><table width="100%">
<tr><td><a href="/">网站首页</a> | <a href="/xw">新闻中心</a> | <a href="/gk">信息公开</a></td></tr>
<tr><td align="center"><span class="bt">{html.escape(title)}</span></td></tr>
<tr><td align="center">日期：{date}　　来源：{source}　　【打印】【关闭】</td></tr>
<tr><td>{cells}</td></tr>
<tr><td><a href="/p">上一篇：县教育局召开安全工作会议</a><br><a href="/n">下一篇：关于开展校园安全检查的通知</a></td></tr>
<tr><td>Copyright © {site} 主办　地址：县人民路1号</td></tr>
</table></body></html>"""
    return page.encode(charset, errors="xmlcharrefreplace")
