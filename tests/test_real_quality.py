"""Quality floors on ../shared/datasets/real_reports (37 real office documents: provincial
reports, statistical communiqués, tables in .docx, .doc, .pdf and web pages) with the dev halves
of the blind sets written over them, lexical matching only. Skipped with a message where the corpus
is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import load_settings
from retrieval import Engine
from tests.floors import blind_sets, check_blind_floors

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "datasets" / "real_reports"


@pytest.fixture(scope="module")
def real_engine(tmp_path_factory):
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent (the real documents live in ../shared/datasets)")
    settings = load_settings(
        overrides={"corpus": str(CORPUS), "semantic": "off", "cache_dir": str(tmp_path_factory.mktemp("real-cache"))}
    )
    return Engine.open(settings)


BLIND_FLOORS = blind_sets("real")


@pytest.mark.parametrize("path, floors", BLIND_FLOORS)
def test_blind_dev_floors(real_engine, path, floors):
    """The blind dev sets over the real documents, rounds one and three to nine (tests/floors.py)."""
    check_blind_floors(real_engine, path, floors)
