"""The weights tool reads which weights are set by hand from the weights file itself."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from retrieval.answer.features import FEATURES
from retrieval.answer.scoring import WEIGHTS_FILE, load_model
from tools.fit_weights import (
    Stack,
    cross_validate,
    fit,
    folds,
    hand_set,
    loss,
    shipped_notes,
    shipped_scale,
    source_weights,
    top1,
    write_toml,
)
from tools.weight_rows import Group, hits, lead, load, save


def test_hand_set_weights_are_those_marked_in_the_file(tmp_path: Path):
    path = tmp_path / "weights.toml"
    path.write_text(
        "[weights]\nplan = 1.0  # set by hand on the dev set; the fit keeps it\ntok_cov = 2.0  # fitted\nlong = -1.0\n",
        encoding="utf-8",
    )
    assert hand_set(shipped_notes(path)) == {"plan"}


def test_the_shipped_file_marks_some_weights_and_a_full_refit_keeps_their_notes(tmp_path: Path):
    notes = shipped_notes(WEIGHTS_FILE)
    kept = hand_set(notes)
    assert kept and kept <= set(FEATURES)
    model = load_model()
    out = tmp_path / "weights.toml"
    write_toml(out, dict(model.as_mapping()), model, ["--train x.jsonl"], 0.0001, None, notes)
    assert hand_set(shipped_notes(out)) == kept
    assert not hand_set(shipped_notes(out)) & (set(FEATURES) - kept)


def _group(rows: list[list[float]], pos: list[bool], source: str, key: str) -> Group:
    X = np.zeros((len(rows), len(FEATURES)))
    X[:, : len(rows[0])] = rows
    return Group(X, np.array(pos), source, key)


def test_the_stacked_loss_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    groups = [
        _group(rng.normal(size=(4, 3)).tolist(), [False, True, False, False], "a.jsonl", "a:1"),
        _group(rng.normal(size=(2, 3)).tolist(), [True, False], "b.json", "b:0"),
    ]
    st = Stack.of(groups, np.array([3.0, 1.0]))
    w = rng.normal(size=len(FEATURES))
    center = rng.normal(size=len(FEATURES))
    _, grad = loss(w, st, 0.1, center)
    step = np.zeros_like(w)
    for i in (0, 1, 2, len(FEATURES) - 1):
        step[:] = 0.0
        step[i] = 1e-6
        numeric = (loss(w + step, st, 0.1, center)[0] - loss(w - step, st, 0.1, center)[0]) / 2e-6
        assert abs(numeric - grad[i]) < 1e-5


def test_report_questions_weigh_their_share_whatever_their_number():
    groups = [_group([[1.0]], [True], "r.jsonl", f"r:{i}") for i in range(3)]
    groups += [_group([[1.0]], [True], "p.json", f"p:{i}") for i in range(97)]
    w = source_weights(groups, 0.8)
    assert abs(w[:3].sum() - 0.8) < 1e-12 and abs(w[3:].sum() - 0.2) < 1e-12


def test_a_fit_ranks_the_positive_first_and_cross_validation_keeps_an_article_in_one_fold():
    # Column 0 tells the positive; every group alike, so the fit must learn it.
    groups = [_group([[0.0], [1.0], [0.2]], [False, True, False], "s.jsonl", f"s:{i // 2}") for i in range(20)]
    model = load_model()
    kept = set(FEATURES) - {FEATURES[0]}
    zeroed = replace(model, weights=np.zeros(len(FEATURES)))
    w = fit(groups, zeroed, kept)
    assert top1(w, groups) == 1.0
    fold = folds(groups, 5)
    assert all(fold[i] == fold[i + 1] for i in range(0, 20, 2))
    assert all(h == (True, True) for h in cross_validate(groups, zeroed, kept, 5, 0.0001, 0.5))


def test_rows_are_kept_and_read_back_and_refused_for_another_feature_set(tmp_path: Path):
    groups = [_group([[1.0], [2.0]], [True, False], "s.jsonl", "s:q1"), _group([[3.0]], [True], "p.json", "p:7")]
    path = tmp_path / "rows.npz"
    save(path, groups, {"s.jsonl": 2, "p.json": 1})
    back, answerable = load(path)
    assert answerable == {"s.jsonl": 2, "p.json": 1}
    assert [(g.source, g.key) for g in back] == [("s.jsonl", "s:q1"), ("p.json", "p:7")]
    assert np.array_equal(back[0].X, groups[0].X) and back[0].pos.tolist() == [True, False]
    with np.load(path) as f:
        data = dict(f)
    data["features"] = np.array([*FEATURES[:-1], "other"])
    np.savez(path, **data)
    with pytest.raises(SystemExit):
        load(path)


def test_the_lead_is_read_on_report_sets_and_scales_with_the_weights():
    groups = [
        _group([[0.0], [1.0], [3.0]], [False, True, False], "r.jsonl", "r:1"),
        _group([[0.0], [5.0]], [True, False], "r.jsonl", "r:2"),
        _group([[0.0], [100.0]], [True, False], "p.json", "p:0"),  # a public set's: not read
    ]
    w = np.zeros(len(FEATURES))
    w[0] = 1.0
    assert lead(w, groups) == 3.5  # the median of 2 and 5
    assert lead(0.5 * w, groups) == 1.75
    assert [hits(0.5 * w, g) for g in groups] == [hits(w, g) for g in groups]


def test_a_scaled_file_records_its_scale_and_an_unscaled_one_reads_as_one(tmp_path: Path):
    model = load_model()
    out = tmp_path / "weights.toml"
    write_toml(out, dict(model.as_mapping()), model, ["--train x.jsonl"], 0.0001, None, {}, set(), 0.5)
    assert shipped_scale(out) == 0.5
    write_toml(out, dict(model.as_mapping()), model, ["--train x.jsonl"], 0.0001, None, {}, set())
    assert shipped_scale(out) == 1.0
