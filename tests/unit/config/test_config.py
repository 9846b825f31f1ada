"""Bad settings stop the program at start-up with one line naming the setting and its source."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from config import ConfigError, load_settings
from tests.conftest import SEEDS

# A hang guard for every test here (tests with their own mark keep it).
pytestmark = pytest.mark.timeout(60)


@pytest.fixture()
def cli(monkeypatch, capsys):
    """The command line run in this process (same code path, no interpreter start-up)."""
    from bot.cli import main

    def call(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        for key in list(os.environ):
            if key.startswith(("REPORTQA_", "TELEGRAM_")) and key not in ("REPORTQA_CACHE_DIR", "REPORTQA_SEMANTIC"):
                monkeypatch.delenv(key)
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out, err)

    return call


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    line = lines[0]
    assert line.startswith("错误：")
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    return line


@pytest.fixture()
def config_file(tmp_path: Path):
    def write(body: str) -> Path:
        path = tmp_path / "reportqa.toml"
        path.write_text(body, encoding="utf-8")
        return path

    return write


@pytest.mark.parametrize(
    "body, setting",
    [
        ("top_kk = 3\n", "top_kk"),  # unknown (a typo)
        ("[reportqa]\ncolour = 'blue'\n", "colour"),  # unknown, inside the optional table
        ("[telegram]\ntoken = 'x'\n", "telegram"),  # an unknown table
        ("top_k = 'three'\n", "top_k"),  # wrong type
        ("top_k = 2.5\n", "top_k"),
        ("top_k = true\n", "top_k"),
        ("min_confidence = [0.3]\n", "min_confidence"),
        ("corpus = 42\n", "corpus"),
        ("telegram_allowed_ids = ['abc']\n", "telegram_allowed_ids"),
        ("top_k = -1\n", "top_k"),  # impossible values
        ("top_k = 0\n", "top_k"),
        ("retrieve_k = 100000000\n", "retrieve_k"),
        ("min_confidence = 1.5\n", "min_confidence"),
        ("min_confidence = nan\n", "min_confidence"),
        ("k1 = inf\n", "k1"),
        ("b = -0.1\n", "b"),
        ("max_file_mb = 0\n", "max_file_mb"),
        ("workers = -2\n", "workers"),
        ("corpus = '/nonexistent/reports'\n", "corpus"),  # a folder that does not exist
    ],
)
def test_bad_setting_in_a_config_file(cli, config_file, body: str, setting: str):
    path = config_file(body)
    proc = cli("ask", "--json", "--config", str(path), "古丈县现有各级各类学校多少所？")
    assert_one_line_error(proc, f"'{setting}'", str(path))


def test_corpus_that_is_a_file_names_the_setting(cli, config_file):
    path = config_file(f"corpus = '{SEEDS / '2021_溆浦县教育局_教育工作总结.txt'}'\n")
    proc = cli("index", "--config", str(path))
    assert_one_line_error(proc, "'corpus'", str(path), "不是文件夹")


def test_config_file_that_is_not_toml(cli, config_file):
    path = config_file("top_k = = 3\n[[[\n")
    proc = cli("ask", "--config", str(path), "问题")
    assert_one_line_error(proc, str(path), "TOML")


def test_config_file_that_is_a_folder(cli, tmp_path: Path):
    proc = cli("ask", "--config", str(tmp_path), "问题")
    assert_one_line_error(proc, str(tmp_path))


@pytest.mark.parametrize(
    "env, name",
    [
        ({"REPORTQA_TOP_K": "abc"}, "REPORTQA_TOP_K"),
        ({"REPORTQA_TOP_K": "-3"}, "REPORTQA_TOP_K"),
        ({"REPORTQA_NO_SUCH_THING": "1"}, "REPORTQA_NO_SUCH_THING"),
        ({"REPORTQA_MIN_CONFIDENCE": "NaN"}, "REPORTQA_MIN_CONFIDENCE"),
        ({"REPORTQA_CORPUS": "/nonexistent/reports"}, "REPORTQA_CORPUS"),
        ({"TELEGRAM_ALLOWED_IDS": "12,abc"}, "TELEGRAM_ALLOWED_IDS"),
    ],
)
def test_bad_setting_in_the_environment(cli, env: dict[str, str], name: str):
    proc = cli("ask", "问题", env=env)
    assert_one_line_error(proc, name)


@pytest.mark.parametrize(
    "args, setting",
    [
        (("--top-k", "-1"), "top_k"),
        (("--top-k", "0"), "top_k"),
        (("--corpus", "/nonexistent/reports"), "corpus"),
    ],
)
def test_bad_setting_on_the_command_line(cli, args: tuple[str, ...], setting: str):
    proc = cli("ask", *args, "问题")
    assert_one_line_error(proc, f"'{setting}'", "command line")


def test_the_token_never_appears_in_an_error(cli, config_file):
    secret = "123456:AAE-secret-token-value"
    path = config_file(f"telegram_token = '{secret}'\ntop_k = 99\n")
    proc = cli("ask", "--config", str(path), "问题", env={"TELEGRAM_BOT_TOKEN": secret})
    assert_one_line_error(proc, "'top_k'")
    assert secret not in proc.stderr
    assert secret not in repr(load_settings(env={"TELEGRAM_BOT_TOKEN": secret}))


@pytest.mark.parametrize(
    "args, env, fragments",
    [
        ((), {"REPORTQA_MIN_CONFIDENCE": "nan"}, ("REPORTQA_MIN_CONFIDENCE", "'min_confidence'")),
        (("--corpus", "/nonexistent/reports"), {}, ("command line", "'corpus'", "语料文件夹不存在")),
    ],
)
def test_the_error_names_the_source_the_setting_and_the_fault(cli, args, env, fragments):
    proc = cli("ask", "--json", *args, "古丈县现有各级各类学校多少所？", env=env)
    assert_one_line_error(proc, *fragments)


def test_good_settings_from_every_source(tmp_path: Path, config_file):
    path = config_file(f"[reportqa]\ntop_k = 2\ncorpus = '{SEEDS}'\n")
    settings = load_settings(config_file=path, env={"REPORTQA_RETRIEVE_K": "40"}, overrides={"max_question_chars": 300})
    assert (settings.top_k, settings.retrieve_k, settings.max_question_chars) == (2, 40, 300)
    assert settings.corpus_path == SEEDS


def test_errors_name_setting_and_source_in_process(tmp_path: Path):
    with pytest.raises(ConfigError, match=r"command line: setting 'top_k' must be between 1 and 20"):
        load_settings(overrides={"top_k": -1}, env={})
    with pytest.raises(ConfigError, match=r"environment variable REPORTQA_B: setting 'b'"):
        load_settings(env={"REPORTQA_B": "inf"})


def test_the_token_may_not_sit_in_the_shipped_settings_file(tmp_path: Path, monkeypatch):
    import config

    shipped = tmp_path / "settings.toml"
    shipped.write_text(
        config.DEFAULTS_FILE.read_text(encoding="utf-8") + "telegram_token = '123456:AAE-secret-token-value'\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(config, "DEFAULTS_FILE", shipped)
    with pytest.raises(ConfigError, match="'telegram_token' must not be kept in the shipped settings file") as err:
        load_settings(env={})
    assert "AAE-secret" not in str(err.value)
    private = tmp_path / "private.toml"
    private.write_text("telegram_token = '123456:AAE-secret-token-value'\n", encoding="utf-8")
    monkeypatch.setattr(config, "DEFAULTS_FILE", config.CONFIG_DIR / "settings.toml")
    assert load_settings(config_file=private, env={}).telegram_token.endswith("token-value")


def test_dataclass_defaults_match_the_shipped_settings_file():
    import tomllib

    from config import DEFAULTS_FILE, Settings

    shipped = tomllib.loads(DEFAULTS_FILE.read_text(encoding="utf-8"))
    defaults = Settings()
    for name, value in shipped.items():
        assert getattr(defaults, name) == (tuple(value) if isinstance(value, list) else value), name


def test_every_config_file_is_read_by_one_strict_reader(tmp_path, monkeypatch):
    """A bad weights, dating or follow-up words file stops with the same clear message as a bad
    settings file; none falls back to defaults silently."""
    from config import ConfigError, load_settings
    from retrieval.answer.scoring import load_model
    from retrieval.dates import years
    from retrieval.dialogue.lexicon import load_words

    bad = tmp_path / "bad.toml"
    bad.write_text("[years\nmin = 1", encoding="utf-8")
    for read in (load_model, load_words, lambda path: load_settings(config_file=path)):
        with pytest.raises(ConfigError, match=r"bad\.toml: 配置文件不是有效的 TOML \(not valid TOML"):
            read(bad)
    monkeypatch.setattr(years, "DATING_FILE", bad)
    years.settings.cache_clear()
    try:
        with pytest.raises(ConfigError, match="not valid TOML"):
            years.settings()
        bad.write_text('[years]\nmin = "1900"\n', encoding="utf-8")
        years.settings.cache_clear()
        with pytest.raises(ConfigError, match=r"\[years\]: 'min' must be a whole number"):
            years.settings()
    finally:
        years.settings.cache_clear()
