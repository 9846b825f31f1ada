"""Quality floors of the blind dev sets (``tests/data/blind*/CORPUS.dev.jsonl``): one table per
corpus, read by one parametrized test in each corpus's test module."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import evaluate as ev
from tests.conftest import assert_floors

DATA = Path(__file__).resolve().parent / "data"


def blind_sets(corpus: str, floors: dict[str, dict]) -> list:
    """``(path, floors)`` parameters of the blind dev sets of ``corpus`` (seeds, gwr, real), by
    round folder (blind, blind3, …)."""
    return [pytest.param(DATA / name / f"{corpus}.dev.jsonl", f, id=name) for name, f in floors.items()]


def check_blind_floors(engine, path: Path, floors: dict) -> None:
    """The dev halves of the blind sets (written from the reports by readers who never ran the
    product; tests/data/README.md), asked lexically with the learned decision. Beside each set's
    floors in its table are its figures as measured: answered with the answer first, shown first,
    first three shown, unanswerable not answered, answerable with nothing shown, answered
    precision. The floors sit at or below them (one question below where they were set last);
    rounds three to six's sets are among the decision's training rows, so their precision is
    partly in sample."""
    items, _ = ev.load_questions(path)
    outcomes = ev.evaluate(engine, items)
    assert_floors(ev.summarize(outcomes), outcomes=outcomes, **floors)
