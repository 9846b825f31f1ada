"""The eval's plain-text tables (``reportqa eval`` without ``--json``): value first, then what it
measures, in the words users read."""

from __future__ import annotations

from typing import Any

ROWS = (
    ("report_at_1", "首条引用来自正确报告/段落"),
    ("report_at_5", "正确报告/段落在前 5 个出处内"),
    ("answer_at_1", "答案在第一句中"),
    ("answer_at_3", "答案在前三句中"),
    ("mrr", "答案句倒数排名均值（MRR）"),
    ("refused_unanswerable", "不可回答的问题被拒答（含“可能相关”）"),
    ("unsure_unanswerable", "其中：不可回答的问题给出“可能相关”"),
    ("refused_answerable", "可回答的问题没有作答（含“可能相关”）"),
    ("unsure_answerable", "其中：可回答的问题给出“可能相关”"),
    ("shown_at_1", "第一条显示的句子（答案或“可能相关”）含答案"),
    ("shown_at_3", "显示的前三句（答案或“可能相关”）含答案"),
    ("answered_precision", "作答的准确率（作答时第一句含答案）"),
    ("page_right", "PDF 显示的答案句页码正确"),
    ("page_holds", "PDF 显示的答案句所引页面印有答案（含同一数字印在两页的）"),
)


def _fmt(value: Any) -> str:
    return "—" if value is None else f"{value:.3f}"


FOLLOW_UP_ROWS = (
    ("answer_at_1", "追问：答案在第一句中"),
    ("answer_at_3", "追问：答案在前三句中"),
    ("refused_unanswerable", "追问：报告没有答案的追问被拒答"),
    ("refused_answerable", "追问：可回答的追问被误拒"),
)


def format_follow_ups(summary: dict[str, Any]) -> str:
    lines = [
        f"追问（对话中第二轮起）：{summary['questions']} 个（可回答 {summary['answerable']}，"
        f"不可回答 {summary['unanswerable']}）"
    ]
    for key, label in FOLLOW_UP_ROWS:
        lines.append(f"  {_fmt(summary[key]):>8}  {label}")
    return "\n".join(lines)


def format_table(name: str, summary: dict[str, Any], kinds: dict[str, dict[str, Any]] | None = None) -> str:
    """A plain-text table: value first, then what it measures (keeps columns aligned)."""
    lines = [
        f"问题集：{name}",
        f"问题数：{summary['questions']}（可回答 {summary['answerable']}，不可回答 {summary['unanswerable']}）",
    ]
    counts = summary["outcomes"]
    lines.append(f"结果：作答 {counts['answer']}，可能相关 {counts['unsure']}，没有找到 {counts['none']}")
    for key, label in ROWS:
        lines.append(f"  {_fmt(summary[key]):>8}  {label}")
    lines.append(f"  {summary['latency_ms_p50']:>5.1f} ms  单题耗时中位数")
    lines.append(f"  {summary['latency_ms_p95']:>5.1f} ms  单题耗时 95 分位")
    if kinds and len(kinds) > 1:
        lines.append("按类型（第一句含答案 / 前三句含答案，或拒答比例）：")
        width = max(14, max(len(k) for k in kinds) + 1)
        for kind, s in kinds.items():
            extra = (
                f"{_fmt(s['answer_at_1'])} / {_fmt(s['answer_at_3'])}"
                if s["answerable"]
                else f"拒答 {_fmt(s['refused_unanswerable'])}"
            )
            lines.append(f"  {kind:<{width}}{s['questions']:>5} 题  {extra}")
    return "\n".join(lines)
