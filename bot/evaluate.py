"""Measuring answer quality on a question set: ``reportqa eval [FILE]``.

Two formats are read:

* the project's JSONL (``tests/data/dev.jsonl``): one object per line with ``question``,
  ``answers`` (verbatim fragments), ``report`` (file name, list of names, or null),
  ``answerable`` and ``kind``; asked against the configured corpus;
* SQuAD-layout JSON (``data[].paragraphs[].context/qas[]``): every paragraph becomes one
  ``.txt`` document of a temporary corpus, named by its index, and is indexed through the
  normal :meth:`Engine.open` path. A question's gold report is its paragraph's file.

Every question goes through :meth:`Engine.answer`, exactly as ``reportqa ask`` does. A
question counts as answered correctly at rank *k* when one of its gold fragments lies,
verbatim, inside the *k*-th cited sentence.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from config import PROJECT_ROOT, Settings
from retrieval import Engine

DEFAULT_QUESTIONS = PROJECT_ROOT / "tests" / "data" / "dev.jsonl"
EXIT_USAGE = 2


class EvalError(Exception):
    """The question file cannot be used; the message is for users."""


@dataclass(frozen=True)
class Item:
    """One evaluation question with its gold answers and gold reports."""

    qid: str
    question: str
    answers: tuple[str, ...]
    reports: tuple[str, ...]  # corpus-relative paths of the reports that answer it
    answerable: bool
    kind: str = ""


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

    @property
    def hit1(self) -> bool:
        return self.answer_rank == 1


# --- reading question sets -----------------------------------------------------------------------

def _read_json_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise EvalError(f"找不到问题文件：{path}") from None
    except UnicodeDecodeError:
        raise EvalError(f"问题文件不是 UTF-8 编码：{path}") from None
    except OSError as exc:
        raise EvalError(f"无法读取问题文件 {path}：{exc.strerror or exc}") from None


def is_squad(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("data"), list)


def _str_list(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def parse_jsonl(text: str, source: str = "问题文件") -> list[Item]:
    """Items of the project's JSONL format; raises :class:`EvalError` naming the bad line."""
    items: list[Item] = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{source} 第 {n} 行"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalError(f"{where} 不是合法的 JSON：{exc.msg}") from None
        if not isinstance(row, dict) or not isinstance(row.get("question"), str) or not row["question"].strip():
            raise EvalError(f"{where} 缺少 question 字段（问题文本）")
        answers = _str_list(row.get("answers", []))
        if answers is None:
            raise EvalError(f"{where} 的 answers 应为字符串列表")
        report = row.get("report")
        reports = [] if report is None else _str_list(report)
        if reports is None:
            raise EvalError(f"{where} 的 report 应为文件名、文件名列表或 null")
        answerable = row.get("answerable", bool(answers))
        if not isinstance(answerable, bool):
            raise EvalError(f"{where} 的 answerable 应为 true 或 false")
        if answerable and not answers:
            raise EvalError(f"{where} 标为可回答，但没有给出 answers")
        items.append(Item(str(row.get("id", n)), row["question"], tuple(a for a in answers if a),
                          tuple(reports), answerable, str(row.get("kind", ""))))
    if not items:
        raise EvalError(f"{source} 里没有问题")
    return items


def paragraph_file(index: int) -> str:
    """File name of the ``index``-th paragraph of a SQuAD-layout set in its temporary corpus."""
    return f"{index:05d}.txt"


def parse_squad(data: Any, source: str = "问题文件") -> tuple[list[str], list[Item]]:
    """(paragraph texts, items) of a SQuAD-layout set; an item's report is its paragraph's file."""
    if not is_squad(data):
        raise EvalError(f"{source} 不是 SQuAD 格式（缺少 data 列表）")
    contexts: list[str] = []
    items: list[Item] = []
    for article in data["data"]:
        paragraphs = article.get("paragraphs") if isinstance(article, dict) else None
        if not isinstance(paragraphs, list):
            raise EvalError(f"{source} 的 data[].paragraphs 应为列表")
        for para in paragraphs:
            if not isinstance(para, dict) or not isinstance(para.get("context"), str):
                raise EvalError(f"{source} 有段落缺少 context 文本")
            index = len(contexts)
            contexts.append(para["context"])
            for qa in para.get("qas") or []:
                if not isinstance(qa, dict) or not isinstance(qa.get("question"), str):
                    raise EvalError(f"{source} 第 {index} 段有问题缺少 question 文本")
                raw = qa.get("answers") or []
                answers = tuple(dict.fromkeys(a["text"] for a in raw
                                              if isinstance(a, dict) and isinstance(a.get("text"), str)
                                              and a["text"].strip()))
                answerable = bool(answers) and not qa.get("is_impossible", False)
                qid = str(qa.get("id", f"{index}-{len(items)}"))
                items.append(Item(qid, qa["question"], answers if answerable else (),
                                  (paragraph_file(index),) if answerable else (), answerable, "squad"))
    if not items:
        raise EvalError(f"{source} 里没有问题")
    return contexts, items


def write_paragraph_corpus(contexts: Sequence[str], folder: Path) -> None:
    """One ``.txt`` per paragraph: a neutral heading line (the report title) and the paragraph."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, context in enumerate(contexts):
        path = folder / paragraph_file(i)
        body = f"段落{i}\n{context.strip()}\n"
        if not path.exists() or path.read_text(encoding="utf-8") != body:
            path.write_text(body, encoding="utf-8")


def load_questions(path: Path) -> tuple[list[Item], list[str] | None]:
    """(items, paragraph texts or None): SQuAD files bring their own corpus, JSONL files do not."""
    text = _read_json_text(path)
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = None
        if is_squad(data):
            contexts, items = parse_squad(data, str(path))
            return items, contexts
    return parse_jsonl(text, str(path)), None


# --- scoring ----------------------------------------------------------------------------------

def judge(item: Item, answer, seconds: float) -> Outcome:
    """Compare one :class:`Answer` with the gold fragments and reports of ``item``."""
    ranked = list(answer.sentences) + list(answer.more) if answer.answered else []
    answer_rank = 0
    for rank, sentence in enumerate(ranked, 1):
        if any(gold in sentence.text for gold in item.answers):
            answer_rank = rank
            break
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
    return Outcome(item, answer.answered, answer_rank, report_rank, seconds, shown, closest, refusal)


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
        "latency_ms_p50": round(statistics.median(times), 2) if times else 0.0,
        "latency_ms_p95": round(percentile(times, 0.95), 2),
    }


def by_kind(outcomes: Sequence[Outcome]) -> dict[str, dict[str, Any]]:
    kinds = sorted({o.item.kind for o in outcomes if o.item.kind})
    return {k: summarize([o for o in outcomes if o.item.kind == k]) for k in kinds}


def evaluate(engine, items: Iterable[Item], progress: Callable[[int], None] | None = None) -> list[Outcome]:
    """Ask every question through :meth:`Engine.answer` and judge the answers."""
    outcomes: list[Outcome] = []
    for i, item in enumerate(items, 1):
        start = time.perf_counter()
        answer = engine.answer(item.question)
        seconds = time.perf_counter() - start
        outcomes.append(judge(item, answer, seconds))
        if progress:
            progress(i)
    return outcomes


def failures(outcomes: Sequence[Outcome]) -> list[dict[str, Any]]:
    """Questions whose first sentence misses the gold answer, or unanswerable ones answered."""
    rows = []
    for o in outcomes:
        if (o.item.answerable and o.answer_rank != 1) or (not o.item.answerable and o.answered):
            rows.append({**asdict(o.item), "answered": o.answered, "answer_rank": o.answer_rank,
                         "report_rank": o.report_rank, "sentences": o.sentences, "closest": o.closest,
                         "refusal": o.refusal})
    return rows


# --- output -----------------------------------------------------------------------------------

ROWS = (
    ("report_at_1", "首条引用来自正确报告/段落"),
    ("report_at_5", "正确报告/段落在前 5 个出处内"),
    ("answer_at_1", "答案在第一句中"),
    ("answer_at_3", "答案在前三句中"),
    ("mrr", "答案句倒数排名均值（MRR）"),
    ("refused_unanswerable", "不可回答的问题被拒答"),
    ("refused_answerable", "可回答的问题被误拒"),
)


def _fmt(value: Any) -> str:
    return "—" if value is None else f"{value:.3f}"


def format_table(name: str, summary: dict[str, Any], kinds: dict[str, dict[str, Any]] | None = None) -> str:
    """A plain-text table: value first, then what it measures (keeps columns aligned)."""
    lines = [f"问题集：{name}",
             f"问题数：{summary['questions']}（可回答 {summary['answerable']}，不可回答 {summary['unanswerable']}）"]
    for key, label in ROWS:
        lines.append(f"  {_fmt(summary[key]):>8}  {label}")
    lines.append(f"  {summary['latency_ms_p50']:>5.1f} ms  单题耗时中位数")
    lines.append(f"  {summary['latency_ms_p95']:>5.1f} ms  单题耗时 95 分位")
    if kinds and len(kinds) > 1:
        lines.append("按类型（第一句含答案 / 前三句含答案，或拒答比例）：")
        width = max(14, max(len(k) for k in kinds) + 1)
        for kind, s in kinds.items():
            extra = (f"{_fmt(s['answer_at_1'])} / {_fmt(s['answer_at_3'])}" if s["answerable"]
                     else f"拒答 {_fmt(s['refused_unanswerable'])}")
            lines.append(f"  {kind:<{width}}{s['questions']:>5} 题  {extra}")
    return "\n".join(lines)


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


def run(settings: Settings, path: Path, *, limit: int | None = None, workdir: Path | None = None,
        progress: Callable[[int], None] | None = None) -> tuple[list[Outcome], dict[str, Any]]:
    """Load ``path``, open the engine and evaluate; ``workdir`` keeps a SQuAD corpus and its index."""
    items, contexts = load_questions(path)
    if limit is not None:
        items = items[:limit]
    with tempfile.TemporaryDirectory(prefix="reportqa-eval-") as tmp:
        engine = open_engine_for(settings, contexts, Path(workdir or tmp))
        outcomes = evaluate(engine, items, progress)
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
            outcomes = evaluate(engine, items, counter)
        finally:
            counter.close()
    summary = summarize(outcomes)
    if getattr(args, "failures", None):
        try:
            with open(args.failures, "w", encoding="utf-8") as fh:
                for row in failures(outcomes):
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        except OSError as exc:
            print(f"错误：无法写入 {args.failures}：{exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
    kinds = by_kind(outcomes)
    if getattr(args, "json", False):
        print(json.dumps({"file": str(path), **summary, "by_kind": kinds if len(kinds) > 1 else {}},
                         ensure_ascii=False, indent=2))
    else:
        print(format_table(str(path), summary, kinds))
    return 0
