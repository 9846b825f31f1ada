"""Shared fixtures: an isolated index cache and one engine over the seed corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED_DATASETS = ROOT.parent / "shared" / "datasets"


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory):
    """Every test run gets its own cache folder unless a test sets one itself."""
    folder = tmp_path_factory.mktemp("cache")
    old = os.environ.get("REPORTQA_CACHE_DIR")
    os.environ["REPORTQA_CACHE_DIR"] = str(folder)
    os.environ.pop("REPORTQA_CONFIG", None)
    # Sentence vectors from the real model take seconds per corpus; tests that are about them
    # turn them on explicitly (mostly with the fake embedder of tests/fake_embedder.py).
    old_semantic = os.environ.get("REPORTQA_SEMANTIC")
    os.environ["REPORTQA_SEMANTIC"] = "off"
    yield folder
    if old is None:
        os.environ.pop("REPORTQA_CACHE_DIR", None)
    else:
        os.environ["REPORTQA_CACHE_DIR"] = old
    if old_semantic is None:
        os.environ.pop("REPORTQA_SEMANTIC", None)
    else:
        os.environ["REPORTQA_SEMANTIC"] = old_semantic


@pytest.fixture(scope="session")
def settings(_isolated_cache):
    from config import load_settings

    return load_settings(overrides={"corpus": str(SEEDS), "cache_dir": str(_isolated_cache)})


@pytest.fixture(scope="session")
def engine(settings):
    from retrieval import Engine

    return Engine.open(settings)


class FakeClock:
    """A monotonic clock the test moves by hand (``clock.now += 5``)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def shown(answer) -> tuple:
    """The sentences a user sees first: an answer's, or the closest of an unsure one. Tests of
    retrieval and selection read these; whether they come as an answer is the decision's test."""
    return answer.sentences if answer.answered else answer.closest


def shown_json(data: dict) -> list:
    """:func:`shown` of an answer's JSON."""
    return data["sentences"] if data["answered"] else data["closest"]


# The fields of an answer in JSON (`reportqa ask --json`, retrieval/types.py Answer.to_json).
ANSWER_JSON_KEYS = {
    "question",
    "resolved",
    "answered",
    "outcome",
    "confidence",
    "message",
    "sentences",
    "closest",
    "refusal",
    "note",
    "other_years",
    "trend",
}


ROUNDED = 5e-5  # the eval's shares are rounded to 4 places: a count exactly at its floor passes


def assert_floors(
    s: dict,
    *,
    answered_right: int,
    shown_right: int,
    unanswerable_held: int,
    answerable_none: int,
    precision: float = 0.95,
    outcomes: list | None = None,
    shown3_right: int | None = None,
) -> None:
    """Quality floors of one question set, as counts: answerable questions answered with the
    answer first; shown first (answer or unsure); unanswerable questions not answered (unsure or
    none); answerable questions with nothing shown (at most); the answered precision; and, when
    given, answerable questions with the answer in the first three sentences shown."""
    n, u = s["answerable"], s["unanswerable"]
    missed = [o.item.qid for o in outcomes or [] if o.item.answerable and o.shown_rank != 1]
    assert s["answer_at_1"] >= answered_right / n - ROUNDED, s
    assert s["shown_at_1"] >= shown_right / n - ROUNDED, (s, missed)
    if shown3_right is not None:
        assert s["shown_at_3"] >= shown3_right / n - ROUNDED, s
    if u:
        assert s["refused_unanswerable"] >= unanswerable_held / u - ROUNDED, s
    assert s["none_answerable"] <= answerable_none / n + ROUNDED, s
    if s["answered_precision"] is not None:
        assert s["answered_precision"] >= precision, s


def run_cli(
    *args: str,
    cache: Path,
    env: dict[str, str] | None = None,
    stdin: str | bytes | None = None,
    clean_env: bool = False,
    workers: int | None = None,
    timeout: float = 120,
):
    """``python -m bot ARGS`` in a child process with its own index cache: text in and out, or bytes
    when ``stdin`` is bytes. ``clean_env`` drops the caller's REPORTQA_/TELEGRAM_ settings (all but
    REPORTQA_SEMANTIC); ``workers`` sets REPORTQA_WORKERS; ``env`` adds or overrides variables."""
    import subprocess
    import sys

    base = dict(os.environ)
    if clean_env:
        base = {
            k: v for k, v in base.items() if not k.startswith(("REPORTQA_", "TELEGRAM_")) or k == "REPORTQA_SEMANTIC"
        }
    full = {**base, "REPORTQA_CACHE_DIR": str(cache)}
    if workers is not None:
        full["REPORTQA_WORKERS"] = str(workers)
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=not isinstance(stdin, bytes),
        cwd=ROOT,
        env=full,
        timeout=timeout,
    )
