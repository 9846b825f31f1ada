"""Bad settings stop a real process at start-up with one line and no traceback (every bad setting
is checked in-process in tests/unit/config/test_config.py; this proves the process prints it)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import SEEDS, run_cli
from tests.unit.config.test_config import assert_one_line_error


def run_clean(*args: str, cache: Path, env: dict[str, str] | None = None):
    return run_cli(*args, cache=cache, env=env, clean_env=True)


def test_debug_variable_is_not_mistaken_for_a_setting(tmp_path: Path):
    shared = Path(os.environ["REPORTQA_CACHE_DIR"])  # the session's cache: the seeds are indexed once
    proc = run_clean(
        "ask",
        "--json",
        "--corpus",
        str(SEEDS),
        "古丈县现有各级各类学校多少所？",
        cache=shared,
        env={"REPORTQA_DEBUG": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    assert '"answered": true' in proc.stdout


def test_a_real_process_exits_2_with_one_line(tmp_path: Path):
    path = tmp_path / "reportqa.toml"
    path.write_text("top_kk = 3\n", encoding="utf-8")
    proc = run_clean("ask", "--json", "--config", str(path), "古丈县现有各级各类学校多少所？", cache=tmp_path / "c")
    assert_one_line_error(proc, "'top_kk'", str(path))
