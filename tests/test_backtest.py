"""The decision fit's backtest (tools/backtest_decision.py): each round is read by a fit on the rounds before it."""

from __future__ import annotations

import re

import numpy as np

from tools.backtest_decision import backtest, round_of
from tools.fit_decision import parse_args


def test_a_question_set_s_round_comes_from_its_folder():
    assert round_of("tests/data/blind/real.dev.jsonl") == 1
    assert round_of("tests/data/blind8/gwr.dev.jsonl") == 8
    assert round_of("tests/data/dev.jsonl") == 0  # the project's own sets: always fitted on
    assert round_of("cmrc2018_trial") == 0


def _rows(seed: int = 0) -> dict:
    """Rows of three rounds and a public set: one informative column, labels that follow it."""
    rng = np.random.default_rng(seed)
    groups, x, y = [], [], []
    for folder in ("blind3", "blind7", "blind8"):
        for k in range(200):
            groups.append(f"tests/data/{folder}/real.dev.jsonl:q{k}")
    for k in range(200):
        groups.append(f"cmrc2018_trial:article{k}")
    for _ in groups:
        v = rng.normal()
        x.append([v, rng.normal()])
        y.append(v + 0.3 * rng.normal() > 0.2)
    n = len(groups)
    return {
        "X": np.array(x),
        "y": np.array(y),
        "group": np.array(groups),
        "report": np.array(["/blind" in g for g in groups]),
        "answerable": np.ones(n, dtype=bool),
    }


def test_a_round_s_answer_at_is_fitted_without_its_own_rows():
    args = parse_args(["--train", "tests/data/blind8/real.dev.jsonl=real_reports", "--rule-sets", "/blind"])
    data = _rows()
    lines = backtest(data, args, first=7)
    assert [line.split(":")[0] for line in lines] == ["round 7", "round 8"]
    # Round 8's labels turned over: its answer_at stays (fitted on rounds 3 and 7), its precision falls.
    flipped = dict(data)
    eight = np.array(["/blind8/" in g for g in data["group"]])
    flipped["y"] = np.where(eight, ~data["y"], data["y"])
    again = backtest(flipped, args, first=7)
    at = re.compile(r"answer_at (\S+)")
    precision = re.compile(r"precision (\S+)")
    assert at.search(again[1]).group(1) == at.search(lines[1]).group(1)
    assert float(precision.search(again[1]).group(1)) < float(precision.search(lines[1]).group(1))
    assert again[0] == lines[0]  # round 7 is fitted on round 3 only: round 8 plays no part
