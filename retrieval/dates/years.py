"""Years and time words written in text: the years (2024年, ２０２４年, 二〇二四年, 1 9 9 8 年),
spans of years, the review and plan words of headings; and the numbers of ``config/dating.toml``."""

from __future__ import annotations

import re
from functools import lru_cache

from config import CONFIG_DIR, ConfigError, read_toml, whole_numbers

from ..lang.numerals import CN as _CN, written_years

DATING_FILE = CONFIG_DIR / "dating.toml"

_DEFAULTS = {
    "years": {"min": 1900, "max": 2100, "head_chars": 3000, "summary_date_months": 3},
    "lead_in": {"min_chars": 5, "max_chars": 80},
}


@lru_cache(maxsize=1)
def settings() -> dict[str, dict[str, int]]:
    """``config/dating.toml`` over the built-in defaults; a bad file raises :class:`ConfigError`."""
    merged = {k: dict(v) for k, v in _DEFAULTS.items()}
    for section, values in read_toml(DATING_FILE).items():
        if section not in merged:
            raise ConfigError(f"{DATING_FILE}: unknown table [{section}]")
        merged[section].update(whole_numbers(values, f"{DATING_FILE} [{section}]", merged[section]))
    return merged


# --- years in text -------------------------------------------------------------------------------
# The years themselves are read by retrieval/lang/numerals.py, the one reader of a written year;
# here they are kept in the range of config/dating.toml.
CN = _CN
# Two years joined into a span (2016—2020年, 2016年至2020年): the years between are covered.
RANGE_RE = re.compile(rf"(?:\d{{4}}|[{CN}]{{4}})年?(?:[—－\-~～至到]+)(?:\d{{4}}|[{CN}]{{4}})年")


def in_range(year: int) -> bool:
    s = settings()["years"]
    return s["min"] <= year <= s["max"]


def years_in(text: str) -> list[tuple[int, int, int]]:
    """``(start, end, year)`` of every year written in ``text`` (2024年, ２０２４年, 二〇二四年,
    1 9 9 8 年) within the range of ``config/dating.toml``, offsets into ``text``."""
    return [found for found in written_years(text) if in_range(found[2])]


def first_year(text: str) -> int | None:
    found = years_in(text)
    return found[0][2] if found else None


# --- review and plan words of headings ----------------------------------------------------------
REVIEW_HEAD = re.compile(
    r"回顾|总结|决算|工作情况|开展情况|完成情况|执行情况|主要成绩|主要成效|取得的|成效|"
    r"进展|存在的(?:主要)?问题|问题和不足|不足|一年来|过去一年|去年|上年"
)
PLAN_HEAD = re.compile(
    r"计划|安排|打算|谋划|思路|任务|目标|要点|举措|建议|总体要求|政策取向|"
    r"今年|明年|下一步|下步|新的一年|来年|下一年"
)
# The top heading of a report's plan part (二、2025年工作计划, 下一步工作打算), not of a review
# that names its plans too (2024年工作总结及2025年工作计划 as a whole report's heading).
PLAN_PART = re.compile(r"计划|打算|谋划|思路|安排|要点|展望|下一步")


def plan_part(top_heading: str) -> bool:
    """Whether a top-level heading opens a report's plan part."""
    return bool(PLAN_PART.search(top_heading)) and "总结" not in top_heading
