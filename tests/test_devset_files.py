"""Shape of the everyday-wording question set (tests/data/everyday.jsonl); no engine needed.

The rules are in tests/data/README.md: every line parses, ids are unique, each answerable
item's fragments occur verbatim in exactly one sentence of its named report and in no other
report, unanswerable items carry no answers, and no question repeats one of dev or holdout.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = ROOT / "tests" / "data"
EVERYDAY = DATA / "everyday.jsonl"
SENTENCE_END = re.compile(r"(?<=[。！？；])")
FIELDS = {"id", "question", "answers", "report", "answerable", "kind"}


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_everyday_set_parses_with_unique_ids():
    rows = _rows(EVERYDAY)
    assert all(set(row) == FIELDS for row in rows)
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids))
    for row in rows:
        prefix = "ev-" if row["answerable"] else "en-"
        kind = "everyday" if row["answerable"] else "everyday_unanswerable"
        assert row["id"].startswith(prefix) and row["kind"] == kind, row["id"]
        assert row["question"].strip(), row["id"]


def test_everyday_set_mix():
    rows = _rows(EVERYDAY)
    answerable = [row for row in rows if row["answerable"]]
    per_report = Counter(row["report"] for row in answerable)
    assert len(answerable) >= 45
    assert len(rows) - len(answerable) >= 25
    assert set(per_report) == {p.name for p in SEEDS.glob("*.txt")}
    assert min(per_report.values()) >= 8, per_report


def test_everyday_fragments_lie_in_one_sentence_of_their_report():
    texts = {p.name: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    for row in _rows(EVERYDAY):
        if not row["answerable"]:
            assert row["report"] is None and row["answers"] == [], row["id"]
            continue
        assert row["answers"], row["id"]
        for fragment in row["answers"]:
            holders = [name for name, text in texts.items() if fragment in text]
            assert holders == [row["report"]], (row["id"], fragment, holders)
            sentences = [s for s in SENTENCE_END.split(texts[row["report"]]) if fragment in s]
            assert len(sentences) == 1, (row["id"], fragment, len(sentences))


def test_everyday_questions_are_new():
    earlier = {row["question"] for name in ("dev.jsonl", "holdout.jsonl") for row in _rows(DATA / name)}
    questions = [row["question"] for row in _rows(EVERYDAY)]
    assert len(questions) == len(set(questions))
    assert not earlier & set(questions)
