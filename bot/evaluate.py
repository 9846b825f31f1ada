"""Measuring answer quality on a question set: ``reportqa eval [FILE]``.

The sets are read by :mod:`bot.question_sets` (the project's JSONL, its dialogue JSONL, SQuAD
JSON). Every question goes through :meth:`Engine.answer` (a dialogue's turns through
:meth:`Engine.ask_in`), exactly as ``reportqa ask`` does. A question counts as answered
correctly at rank *k* when one of its gold fragments lies, verbatim, inside the *k*-th cited
sentence (white space aside: PDF justification spaces out characters the fragment does not).
Each answer has one of three outcomes (``answer``, ``unsure``: the closest sentences shown to be
checked, ``none``), counted apart.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from config import PROJECT_ROOT, Settings
from retrieval.engine import Engine

from .eval_table import format_follow_ups, format_table
from .printed_pages import PrintedPages
from .question_sets import EvalError, Item, load_questions, write_paragraph_corpus

DEFAULT_QUESTIONS = PROJECT_ROOT / "tests" / "data" / "dev.jsonl"
EXIT_USAGE = 2


@dataclass
class Outcome:
    """What the engine did with one question."""

    item: Item
    answered: bool
    answer_rank: int  # 1-based rank of the first sentence holding a gold fragment; 0 if none
    report_rank: int  # 1-based rank of the first gold report among the cited reports; 0 if none
    seconds: float
    sentences: list[dict[str, str]] = field(default_factory=list)
    closest: list[dict[str, str]] = field(default_factory=list)  # a refusal's unconfirmed sentences
    refusal: dict[str, Any] | None = None  # why it was not answered (Answer.refusal as JSON)
    resolved: str = ""  # the standalone question answered (dialogue sets)
    outcome: str = ""  # answer / unsure / none (Answer.outcome)
    shown_rank: int = 0  # like answer_rank, over the sentences shown: the answer's, or else the closest
    page_right: bool | None = None  # PDF items: the first shown sentence holding the gold is printed on its page
    page_holds: bool | None = None  # ... or the page it is cited to prints the gold too (bot/printed_pages.py)

    @property
    def hit1(self) -> bool:
        return self.answer_rank == 1


# --- scoring ----------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")


def holds_gold(item: Item, text: str) -> bool:
    """Whether ``text`` holds one of ``item``'s gold fragments, white space aside."""
    flat = _SPACE.sub("", text)
    return any(g and g in flat for g in (_SPACE.sub("", a) for a in item.answers))


def gold_rank(item: Item, sentences: Sequence) -> int:
    """1-based rank of the first sentence holding a gold fragment (white space aside); 0 if none."""
    return next((rank for rank, s in enumerate(sentences, 1) if holds_gold(item, s.text)), 0)


def judge(item: Item, answer, seconds: float, printed: PrintedPages | None = None) -> Outcome:
    """Compare one :class:`Answer` with the gold fragments and reports of ``item``; ``printed``
    reads the corpus's PDF pages for the page check."""
    ranked = list(answer.sentences) + list(answer.more) if answer.answered else []
    answer_rank = gold_rank(item, ranked)
    # What the user sees: an answer's sentences, or an unsure answer's closest (可能相关) ones.
    shown = answer.sentences if answer.answered else answer.closest
    shown_rank = gold_rank(item, shown)
    page_right = page_holds = None
    if item.page is not None and shown_rank:  # the first shown sentence holding the gold
        cited = shown[shown_rank - 1].citation
        page_right = page_holds = cited.on_page(item.page)
        if not page_right and printed is not None and cited.page:
            page_holds = printed.prints(cited.path, cited.page, cited.page_end or cited.page, item.answers)
    report_rank = 0
    gold_reports = set(item.reports)
    seen: list[str] = []
    for sentence in ranked:
        path = sentence.citation.path
        if path not in seen:
            seen.append(path)
            if path in gold_reports:
                report_rank = len(seen)
                break
    shown = [{"text": s.text, "report": s.citation.path} for s in ranked[:3]]
    closest = [{"text": s.text, "report": s.citation.path} for s in answer.closest]
    refusal = answer.refusal.to_json() if answer.refusal else None
    resolved = getattr(answer, "resolved", "") or item.question
    return Outcome(
        item,
        answer.answered,
        answer_rank,
        report_rank,
        seconds,
        shown,
        closest,
        refusal,
        resolved,
        answer.outcome,
        shown_rank,
        page_right,
        page_holds,
    )


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-quantile (0..1) by linear interpolation between closest ranks."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _share(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def summarize(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The evaluation numbers (shares are of answerable or unanswerable questions)."""
    answerable = [o for o in outcomes if o.item.answerable]
    unanswerable = [o for o in outcomes if not o.item.answerable]
    with_report = [o for o in answerable if o.item.reports]
    answered = [o for o in outcomes if o.answered]  # an answered unanswerable question counts as wrong
    paged = [o for o in answerable if o.page_right is not None]
    times = [o.seconds * 1000 for o in outcomes]
    n = len(answerable)
    return {
        "questions": len(outcomes),
        "answerable": n,
        "unanswerable": len(unanswerable),
        "report_at_1": _share(sum(o.report_rank == 1 for o in with_report), len(with_report)),
        "report_at_5": _share(sum(0 < o.report_rank <= 5 for o in with_report), len(with_report)),
        "answer_at_1": _share(sum(o.answer_rank == 1 for o in answerable), n),
        "answer_at_3": _share(sum(0 < o.answer_rank <= 3 for o in answerable), n),
        "mrr": round(sum(1 / o.answer_rank for o in answerable if o.answer_rank) / n, 4) if n else None,
        "refused_unanswerable": _share(sum(not o.answered for o in unanswerable), len(unanswerable)),
        "refused_answerable": _share(sum(not o.answered for o in answerable), n),
        "shown_at_1": _share(sum(o.shown_rank == 1 for o in answerable), n),
        "shown_at_3": _share(sum(0 < o.shown_rank <= 3 for o in answerable), n),
        "unsure_answerable": _share(sum(o.outcome == "unsure" for o in answerable), n),
        "none_answerable": _share(sum(o.outcome == "none" for o in answerable), n),
        "unsure_unanswerable": _share(sum(o.outcome == "unsure" for o in unanswerable), len(unanswerable)),
        "answered_precision": _share(sum(o.answer_rank == 1 for o in answered), len(answered)),
        "page_right": _share(sum(bool(o.page_right) for o in paged), len(paged)),
        "page_holds": _share(sum(bool(o.page_holds) for o in paged), len(paged)),
        "outcomes": {k: sum(o.outcome == k for o in outcomes) for k in ("answer", "unsure", "none")},
        "latency_ms_p50": round(statistics.median(times), 2) if times else 0.0,
        "latency_ms_p95": round(percentile(times, 0.95), 2),
    }


def by_kind(outcomes: Sequence[Outcome]) -> dict[str, dict[str, Any]]:
    kinds = sorted({o.item.kind for o in outcomes if o.item.kind})
    return {k: summarize([o for o in outcomes if o.item.kind == k]) for k in kinds}


def evaluate(
    engine,
    items: Iterable[Item],
    progress: Callable[[int], None] | None = None,
    printed: PrintedPages | None = None,
) -> list[Outcome]:
    """Ask every question through :meth:`Engine.answer` and judge the answers; the turns of a
    dialogue set go through :meth:`Engine.ask_in`, one conversation at a time. ``printed``: the
    corpus's PDF pages, for the page check."""
    items = list(items)
    if any(item.conversation for item in items):
        return evaluate_dialogue(engine, _conversations(items), progress)
    outcomes: list[Outcome] = []
    for i, item in enumerate(items, 1):
        start = time.perf_counter()
        answer = engine.answer(item.question)
        seconds = time.perf_counter() - start
        outcomes.append(judge(item, answer, seconds, printed))
        if progress:
            progress(i)
    return outcomes


def evaluate_dialogue(
    engine, conversations: Iterable[Sequence[Item]], progress: Callable[[int], None] | None = None
) -> list[Outcome]:
    """Ask the turns of each conversation in order through :meth:`Engine.ask_in`; judge each turn."""
    outcomes: list[Outcome] = []
    for conversation in conversations:
        state = None
        for item in conversation:
            start = time.perf_counter()
            answer, state = engine.ask_in(state, item.question)
            outcomes.append(judge(item, answer, time.perf_counter() - start))
            if progress:
                progress(len(outcomes))
    return outcomes


def _conversations(items: Sequence[Item]) -> list[list[Item]]:
    """Consecutive turns of the same conversation, grouped."""
    groups: list[list[Item]] = []
    for item in items:
        if groups and groups[-1][0].conversation == item.conversation and item.turn > 0:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def follow_up_summary(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The figures of the follow-up turns only (every turn but a conversation's first)."""
    return summarize([o for o in outcomes if o.item.turn > 0])


def first_sentence(answer) -> str | None:
    """What decides whether two answers agree: the first sentence, or None for a refusal."""
    if not answer.answered or not answer.sentences:
        return None
    s = answer.sentences[0]
    return f"{s.citation.path}:{s.citation.start}"


def conversation_agreement(engine, items: Sequence[Item]) -> tuple[float, list[str]]:
    """Ask ``items`` alone and then as one long conversation: the share whose first sentence (or
    refusal) is the same both ways, and the ids of those that differ."""
    state = None
    differ: list[str] = []
    for item in items:
        alone = engine.answer(item.question)
        chatted, state = engine.ask_in(state, item.question)
        if first_sentence(alone) != first_sentence(chatted):
            differ.append(item.qid)
    return (round(1 - len(differ) / len(items), 4) if items else 0.0), differ


def failures(outcomes: Sequence[Outcome]) -> list[dict[str, Any]]:
    """Questions whose first sentence misses the gold answer, or unanswerable ones answered."""
    rows = []
    for o in outcomes:
        if (o.item.answerable and o.answer_rank != 1) or (not o.item.answerable and o.answered):
            rows.append(
                {
                    **asdict(o.item),
                    "resolved": o.resolved,
                    "answered": o.answered,
                    "answer_rank": o.answer_rank,
                    "report_rank": o.report_rank,
                    "sentences": o.sentences,
                    "closest": o.closest,
                    "refusal": o.refusal,
                }
            )
    return rows


class _Counter:
    """A one-line progress counter on stderr (only when it is a terminal)."""

    def __init__(self, total: int, enabled: bool):
        self.total = total
        self.enabled = enabled and sys.stderr.isatty()

    def __call__(self, done: int) -> None:
        if self.enabled and (done == self.total or done % 25 == 0):
            print(f"\r评测中 {done}/{self.total}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.enabled:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


def open_engine_for(settings: Settings, contexts: list[str] | None, workdir: Path):
    """The engine to evaluate: the configured corpus, or a corpus of the set's own paragraphs."""
    if contexts is not None:
        corpus = workdir / "corpus"
        write_paragraph_corpus(contexts, corpus)
        settings = settings.replace(corpus=str(corpus), cache_dir=str(workdir / "cache"))
    return Engine.open(settings)


def _printed(settings: Settings, contexts: list[str] | None) -> PrintedPages | None:
    """The configured corpus's PDF pages; None for a set that brings its own paragraphs."""
    return PrintedPages(settings.corpus_path) if contexts is None else None


def run(
    settings: Settings,
    path: Path,
    *,
    limit: int | None = None,
    workdir: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[Outcome], dict[str, Any]]:
    """Load ``path``, open the engine and evaluate; ``workdir`` keeps a SQuAD corpus and its index."""
    items, contexts = load_questions(path)
    if limit is not None:
        items = items[:limit]
    with tempfile.TemporaryDirectory(prefix="reportqa-eval-") as tmp:
        engine = open_engine_for(settings, contexts, Path(workdir or tmp))
        outcomes = evaluate(engine, items, progress, _printed(settings, contexts))
    return outcomes, summarize(outcomes)


def run_eval_command(args, settings: Settings) -> int:
    """``reportqa eval``: print the table (or JSON); errors are one line on stderr, exit code 2."""
    path = Path(args.questions_file) if args.questions_file else DEFAULT_QUESTIONS
    limit = getattr(args, "limit", None)
    if limit is not None and limit < 1:
        print("错误：--limit 应为正整数。", file=sys.stderr)
        return EXIT_USAGE
    try:
        items, contexts = load_questions(path)
    except EvalError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    if contexts is not None and getattr(args, "corpus", None):
        print("错误：SQuAD 格式的问题集自带段落，不能同时指定 --corpus。", file=sys.stderr)
        return EXIT_USAGE
    if limit is not None:
        items = items[:limit]
    counter = _Counter(len(items), not getattr(args, "quiet", False))
    with tempfile.TemporaryDirectory(prefix="reportqa-eval-") as tmp:
        engine = open_engine_for(settings, contexts, Path(tmp))
        try:
            outcomes = evaluate(engine, items, counter, _printed(settings, contexts))
        finally:
            counter.close()
        agreement = None
        if getattr(args, "as_conversation", False):
            if any(item.conversation for item in items):
                print(
                    "错误：--as-conversation 用于普通问题集（每行一个问题），对话集本身已按对话提问。", file=sys.stderr
                )
                return EXIT_USAGE
            agreement = conversation_agreement(engine, items)
    summary = summarize(outcomes)
    if getattr(args, "failures", None) and not _write_failures(Path(args.failures), outcomes):
        return EXIT_USAGE
    _print_result(args, path, outcomes, summary, agreement)
    return 0


def _write_failures(path: Path, outcomes: Sequence[Outcome]) -> bool:
    """``--failures FILE``: one JSON line per question not answered right; False (said on
    stderr) when the file cannot be written."""
    try:
        with open(path, "w", encoding="utf-8") as fh:
            for row in failures(outcomes):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    except OSError as exc:
        print(f"错误：无法写入 {path}：{exc.strerror or exc}", file=sys.stderr)
        return False
    return True


def _print_result(args, path: Path, outcomes: Sequence[Outcome], summary: dict[str, Any], agreement) -> None:
    """The summary as JSON (``--json``) or as the plain-text table."""
    kinds = by_kind(outcomes)
    extra: dict[str, Any] = {}
    if any(o.item.turn > 0 for o in outcomes):
        extra["follow_ups"] = follow_up_summary(outcomes)
    if agreement is not None:
        extra["conversation_agreement"], extra["conversation_differs"] = agreement
    if getattr(args, "json", False):
        print(
            json.dumps(
                {"file": str(path), **summary, "by_kind": kinds if len(kinds) > 1 else {}, **extra},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(format_table(str(path), summary, kinds))
        if "follow_ups" in extra:
            print(format_follow_ups(extra["follow_ups"]))
        if agreement is not None:
            share, differ = agreement
            print(
                f"  {share:>8.3f}  作为一段长对话连续提问时，第一句（或拒答）与单独提问相同"
                + (f"（不同：{'、'.join(differ)}）" if differ else "")
            )
