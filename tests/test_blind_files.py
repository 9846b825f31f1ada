"""Shape of the blind question sets (tests/data/blind/, blind3/ … blind10/); no engine needed.

The rules are in tests/data/README.md: every line parses, ids are unique across a corpus's files,
answerable items name a report and carry fragments, unanswerable items carry none and name the
qualifier that makes them unanswerable, and over plain-text corpora every fragment occurs in its
named report (white space removed).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
DATASETS = ROOT.parent / "shared" / "datasets"
SETS = sorted(
    [
        *DATA.glob("blind/*.jsonl"),
        *DATA.glob("blind3/*.jsonl"),
        *DATA.glob("blind4/*.jsonl"),
        *DATA.glob("blind5/*.jsonl"),
        *DATA.glob("blind6/*.jsonl"),
        *DATA.glob("blind7/*.jsonl"),
        *DATA.glob("blind8/*.jsonl"),
        *DATA.glob("blind9/*.jsonl"),
        *DATA.glob("blind10/*.jsonl"),
    ]
)
TEXT_CORPORA = {"seeds": ROOT / "seeds", "gwr": DATASETS / "gwr_even"}
SWAPS = {"exam", "level", "kind", "year", "place", "part", "item", "offtopic"}
SPACE = re.compile(r"\s+")


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_blind_sets_exist_with_round_three_as_dev():
    assert {p.parent.name + "/" + p.name for p in SETS} >= {
        "blind3/seeds.dev.jsonl",
        "blind3/gwr.dev.jsonl",
        "blind3/real.dev.jsonl",
    }


@pytest.mark.parametrize("path", SETS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_blind_set_rows_are_well_formed(path: Path):
    rows = _rows(path)
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids))
    for row in rows:
        assert row["question"].strip() and row["split"] in path.name, row["id"]
        if row["answerable"]:
            assert row["report"] and row["answers"] and all(row["answers"]), row["id"]
        else:
            assert row["report"] is None and row["answers"] == [], row["id"]
            assert row["kind"] == "unanswerable" and row["swap"] in SWAPS, row["id"]


def test_blind_sets_exist_with_rounds_four_to_nine_as_dev():
    assert {p.parent.name + "/" + p.name for p in SETS} >= {
        "blind4/seeds.dev.jsonl",
        "blind4/gwr.dev.jsonl",
        "blind4/real.dev.jsonl",
        "blind5/seeds.dev.jsonl",
        "blind5/gwr.dev.jsonl",
        "blind5/real.dev.jsonl",
        "blind6/seeds.dev.jsonl",
        "blind6/gwr.dev.jsonl",
        "blind6/real.dev.jsonl",
        "blind7/seeds.dev.jsonl",
        "blind7/gwr.dev.jsonl",
        "blind7/real.dev.jsonl",
        "blind8/seeds.dev.jsonl",
        "blind8/gwr.dev.jsonl",
        "blind8/real.dev.jsonl",
        "blind9/seeds.dev.jsonl",
        "blind9/gwr.dev.jsonl",
        "blind9/real.dev.jsonl",
    }


def test_ids_do_not_repeat_across_a_corpus_files():
    seen: dict[str, Path] = {}
    for path in SETS:
        corpus = path.name.split(".")[0]
        for row in _rows(path):
            key = f"{corpus}:{row['id']}"
            assert key not in seen, (key, path, seen.get(key))
            seen[key] = path


@pytest.mark.parametrize(
    "path", [p for p in SETS if p.name.split(".")[0] in TEXT_CORPORA], ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_fragments_occur_in_their_plain_text_report(path: Path):
    folder = TEXT_CORPORA[path.name.split(".")[0]]
    if not folder.is_dir():
        pytest.skip(f"{folder} is not beside the project")
    texts = {p.name: SPACE.sub("", p.read_text(encoding="utf-8")) for p in folder.glob("*.txt")}
    for row in _rows(path):
        for fragment in row["answers"]:
            assert SPACE.sub("", fragment) in texts[row["report"]], (row["id"], fragment)
