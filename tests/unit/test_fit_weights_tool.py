"""The weights tool reads which weights are set by hand from the weights file itself."""

from __future__ import annotations

from pathlib import Path

from retrieval.answer.features import FEATURES
from retrieval.answer.scoring import WEIGHTS_FILE, load_model
from tools.fit_weights import hand_set, shipped_notes, write_toml


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
