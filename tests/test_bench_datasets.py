"""Opt-in benchmark (`make bench` / `pytest -m bench`): answer quality on public QA sets.

Each paragraph of a SQuAD-layout set becomes one document of a temporary corpus; every
question goes through Engine.answer. Figures and the commands that reproduce them are in
docs/quality.md. Skipped with a message where ../shared/datasets is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import evaluate as ev

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED_DATASETS = ROOT.parent / "shared" / "datasets"

pytestmark = pytest.mark.bench

# Floors a little under the measured figures (docs/quality.md), so a regression shows.
FLOORS = {
    "cmrc2018_trial.json": {"answer_at_1": 0.74, "answer_at_3": 0.82, "report_at_1": 0.94, "refused_answerable": 0.02},
    "drcd_test.json": {"answer_at_1": 0.82, "answer_at_3": 0.93, "report_at_1": 0.92, "refused_answerable": 0.02},
}


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("name", sorted(FLOORS))
def test_public_set(name, settings, tmp_path):
    path = SHARED_DATASETS / name
    if not path.exists():
        pytest.skip(f"{path} not found: the public QA sets live in ../shared/datasets (see docs/quality.md)")
    _outcomes, summary = ev.run(settings, path, workdir=tmp_path)
    print()
    print(ev.format_table(name, summary))
    floors = FLOORS[name]
    for key in ("answer_at_1", "answer_at_3", "report_at_1"):
        assert summary[key] >= floors[key], (key, summary[key])
    assert summary["refused_answerable"] <= floors["refused_answerable"]
