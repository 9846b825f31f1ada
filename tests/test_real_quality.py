"""Quality floors on ../shared/datasets/real_reports (37 real office documents: provincial
reports, statistical communiqués, tables in .docx, .doc, .pdf and web pages) with the dev half of
the blind set written over them, lexical matching only. Skipped with a message where the corpus
is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import evaluate as ev
from config import load_settings
from retrieval import Engine
from tests.conftest import assert_floors

ROOT = Path(__file__).resolve().parent.parent
BLIND_REAL_DEV = ROOT / "tests" / "data" / "blind" / "real.dev.jsonl"
CORPUS = ROOT.parent / "shared" / "datasets" / "real_reports"


def test_blind_real_dev_floors(tmp_path_factory):
    """Written from the documents by readers who never ran the product (tests/data/README.md);
    learned decision: 64 of 128 answered with the answer first, 116 shown first (answer or
    unsure), 120 in the first three shown, 26 of 28 unanswerable not answered, 1 of 128 with
    nothing shown, answered precision 0.955 (64 of 67); one question less each, precision at
    least 0.9 (one more wrong answer would give 0.941)."""
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent (the real documents live in ../shared/datasets)")
    settings = load_settings(
        overrides={"corpus": str(CORPUS), "semantic": "off", "cache_dir": str(tmp_path_factory.mktemp("real-cache"))}
    )
    items, _ = ev.load_questions(BLIND_REAL_DEV)
    outcomes = ev.evaluate(Engine.open(settings), items)
    assert_floors(
        ev.summarize(outcomes),
        answered_right=63,
        shown_right=115,
        unanswerable_held=25,
        answerable_none=2,
        precision=0.9,
        outcomes=outcomes,
        shown3_right=119,
    )
