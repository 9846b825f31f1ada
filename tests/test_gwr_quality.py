"""Quality floors on the multi-year corpus ../shared/datasets/gwr_even (26 national government
work reports) with tests/data/gwr.jsonl, lexical matching only (the semantic signal is measured
separately). Skipped with a message where the corpus is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import evaluate as ev
from config import load_settings
from retrieval import Engine
from tests.conftest import assert_floors
from tests.floors import blind_sets, check_blind_floors

ROOT = Path(__file__).resolve().parent.parent
GWR = ROOT / "tests" / "data" / "gwr.jsonl"
CORPUS = ROOT.parent / "shared" / "datasets" / "gwr_even"


@pytest.fixture(scope="module")
def gwr_engine(tmp_path_factory):
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent (the multi-year dev corpus lives in ../shared/datasets)")
    settings = load_settings(
        overrides={"corpus": str(CORPUS), "semantic": "off", "cache_dir": str(tmp_path_factory.mktemp("gwr-cache"))}
    )
    return Engine.open(settings)


@pytest.fixture(scope="module")
def summary(gwr_engine):
    items, _ = ev.load_questions(GWR)
    outcomes = ev.evaluate(gwr_engine, items)
    return ev.summarize(outcomes), ev.by_kind(outcomes)


def test_gwr_floors(summary):
    """Measured with the learned decision, lexical: 11 of 99 answered with the answer first, 88 of
    99 shown first (answer or unsure), 94 in the first three shown, 16 of 16 unanswerable not
    answered, 0 of 99 with nothing shown, answered precision 1.000 (11 of 11; with the hand-set
    rules: 81 answered right, precision 0.85). Each floor allows one question less, precision at
    least 0.88 (kept from when 17 of 18 were right)."""
    s, _ = summary
    assert_floors(
        s, answered_right=10, shown_right=85, unanswerable_held=15, answerable_none=3, shown3_right=91, precision=0.88
    )


def test_gwr_year_questions(summary):
    """The sentence shown first for a year's target (17 of 18) and result (17 of 21), and for
    relative wording (12 of 13): the years are read right whether or not the decision answers."""
    _, kinds = summary
    assert kinds["year_target"]["shown_at_1"] >= 16 / 18
    assert kinds["year_result"]["shown_at_1"] >= 16 / 21
    assert kinds["relative"]["shown_at_1"] >= 11 / 13


BLIND_FLOORS = blind_sets("gwr")


@pytest.mark.parametrize("path, floors", BLIND_FLOORS)
def test_blind_dev_floors(gwr_engine, path, floors):
    """The blind dev sets over gwr_even, rounds one and three to nine (tests/floors.py)."""
    check_blind_floors(gwr_engine, path, floors)


@pytest.mark.bench
def test_gwr_floors_with_semantic_matching(tmp_path_factory):
    """The default on this corpus (13,145 sentences: the full vectors' estimated build fits semantic_budget_seconds): its first vector
    build takes about ten minutes, so this runs with `make bench`. Measured: first sentence 0.909
    (90 of 99), first three 0.960 (95), right report first 0.960 (95), 13 of 16 unanswerable
    refused, no answerable refused; each floor allows one question less. Measured with the hand-set
    rules deciding (answer_decision = "rules"): the learned decision was not measured with vectors
    on this corpus yet."""
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent (the multi-year dev corpus lives in ../shared/datasets)")
    settings = load_settings(
        overrides={
            "corpus": str(CORPUS),
            "semantic": "on",
            "answer_decision": "rules",
            "cache_dir": str(tmp_path_factory.mktemp("gwr-vectors")),
        }
    )
    items, _ = ev.load_questions(GWR)
    s = ev.summarize(ev.evaluate(Engine.open(settings, semantic="build"), items))
    assert s["answer_at_1"] >= 89 / 99
    assert s["answer_at_3"] >= 94 / 99
    assert s["report_at_1"] >= 94 / 99
    assert s["refused_unanswerable"] >= 12 / 16
    assert s["refused_answerable"] <= 1 / 99
