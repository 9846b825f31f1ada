"""Question sets for ``reportqa eval``: reading them into :class:`Item` records.

Three formats are read:

* the project's JSONL (``tests/data/dev.jsonl``): one object per line with ``question``,
  ``answers`` (verbatim fragments), ``report`` (file name, list of names, or null),
  ``answerable`` and ``kind``; asked against the configured corpus;
* the project's dialogue JSONL (``tests/data/dialogue.jsonl``): one conversation per line,
  ``{"id": …, "turns": [turn, …]}``, each turn with the fields of a JSONL question; the turns of
  a conversation are asked in order through :meth:`Engine.ask_in`, so follow-ups (那长葛呢？)
  lean on the turns before them;
* SQuAD-layout JSON (``data[].paragraphs[].context/qas[]``): every paragraph becomes one
  ``.txt`` document of a temporary corpus, named by its index, and is indexed through the
  normal :meth:`Engine.open` path. A question's gold report is its paragraph's file.

"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


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
    conversation: str = ""  # dialogue sets: the conversation's id
    turn: int = 0  # dialogue sets: 0 for the opening question, 1, 2… for follow-ups
    page: int | None = None  # PDF answers: the 1-based page the answer is on


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


def _item(row: Any, where: str, qid: str, **extra: Any) -> Item:
    """One question of a JSONL row (or a dialogue turn); raises :class:`EvalError` naming ``where``."""
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
    page = row.get("page")
    if page is not None and (isinstance(page, bool) or not isinstance(page, int) or page < 1):
        raise EvalError(f"{where} 的 page 应为正整数或 null")
    return Item(
        qid,
        row["question"],
        tuple(a for a in answers if a),
        tuple(reports),
        answerable,
        str(row.get("kind", "")),
        page=page,
        **extra,
    )


def _rows(text: str, source: str) -> list[tuple[int, str, Any]]:
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{source} 第 {n} 行"
        try:
            rows.append((n, where, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise EvalError(f"{where} 不是合法的 JSON：{exc.msg}") from None
    return rows


def is_dialogue(text: str) -> bool:
    """Whether a JSONL text holds conversations (rows with ``turns``) rather than questions."""
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                return False
            return isinstance(row, dict) and "turns" in row
    return False


def parse_jsonl(text: str, source: str = "问题文件") -> list[Item]:
    """Items of the project's JSONL format; raises :class:`EvalError` naming the bad line."""
    items = [
        _item(row, where, str(row.get("id", n)) if isinstance(row, dict) else str(n))
        for n, where, row in _rows(text, source)
    ]
    if not items:
        raise EvalError(f"{source} 里没有问题")
    return items


def parse_dialogue(text: str, source: str = "对话文件") -> list[list[Item]]:
    """Conversations of the dialogue JSONL format, each a list of turns in the order asked."""
    conversations: list[list[Item]] = []
    for n, where, row in _rows(text, source):
        turns = row.get("turns") if isinstance(row, dict) else None
        if not isinstance(turns, list) or not turns:
            raise EvalError(f"{where} 缺少 turns 字段（对话的各轮问题）")
        cid = str(row.get("id", n))
        conversations.append(
            [
                _item(turn, f"{where} 第 {i + 1} 轮", f"{cid}.{i + 1}", conversation=cid, turn=i)
                for i, turn in enumerate(turns)
            ]
        )
    if not conversations:
        raise EvalError(f"{source} 里没有对话")
    return conversations


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
                answers = tuple(
                    dict.fromkeys(
                        a["text"]
                        for a in raw
                        if isinstance(a, dict) and isinstance(a.get("text"), str) and a["text"].strip()
                    )
                )
                answerable = bool(answers) and not qa.get("is_impossible", False)
                qid = str(qa.get("id", f"{index}-{len(items)}"))
                items.append(
                    Item(
                        qid,
                        qa["question"],
                        answers if answerable else (),
                        (paragraph_file(index),) if answerable else (),
                        answerable,
                        "squad",
                    )
                )
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
    if is_dialogue(text):  # conversations, flattened: turns keep their conversation id and order
        return [item for turns in parse_dialogue(text, str(path)) for item in turns], None
    return parse_jsonl(text, str(path)), None
