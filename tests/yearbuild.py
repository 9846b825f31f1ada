"""Made-up yearly government work reports of one issuer, written by hand: each reviews the year
before and plans its own, with paragraphs on other matters between (so that the words asked about
are rare enough to rank). Nothing here is downloaded."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

OTHER = (
    "粮食生产保持稳定，农田水利建设加快推进。",
    "义务教育巩固提高，新建和改扩建一批学校。",
    "医疗卫生服务体系不断完善，基层医疗机构能力提升。",
    "生态环境持续改善，空气质量优良天数增加。",
    "交通基础设施建设取得进展，新建高速公路一批。",
    "文化事业繁荣发展，公共文化服务更加便利。",
)


def write_yearly_reports(folder: Path, years: Iterable[tuple[int, str, str]], other: Sequence[str] = OTHER) -> None:
    """One ``{year}.txt`` per (year, what the past year did, the year's growth target)."""
    for year, review, target in years:
        (folder / f"{year}.txt").write_text(
            f"{year}年政府工作报告\n一、{year - 1}年工作回顾\n过去一年，{review}\n"
            + "\n".join(other)
            + f"\n二、{year}年工作安排\n今年发展主要预期目标是：国内生产总值增长{target}。\n"
            + "\n".join(other)
            + "\n",
            encoding="utf-8",
        )
