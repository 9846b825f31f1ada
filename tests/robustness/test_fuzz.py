"""Property and fuzz tests: any question gets valid JSON, any file is read or skipped, offsets hold.

Hangs are guarded with ``pytest.mark.timeout``: a catastrophic regex would run for minutes on
the inputs below, where a linear one takes milliseconds. These are hang guards, not speed tests;
each test asserts what was found, kept or split.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings, strategies as st

from bot.telegram import render as telegram_render  # it renders report text too
from retrieval import Engine
from retrieval.answer import question, reports
from retrieval.answer.refusals import REASONS as REFUSAL_REASONS
from retrieval.index.build import assemble
from retrieval.ingest import chunker, documents, loader
from retrieval.ingest.formats import (
    charset as formats_charset,
    html as formats_html,
    pdf as formats_pdf,
    pdf_glyphs,
    pdf_layout,
    pdf_paragraphs,
)
from retrieval.ingest.formats.text import decode_bytes
from retrieval.ingest.loader import discover
from retrieval.ingest.process import process_file
from retrieval.ingest.result import FileResult
from retrieval.lang import headings, shapes, text as text_module
from retrieval.types import Skipped
from tests.conftest import ANSWER_JSON_KEYS, SEEDS, run_cli, shown_json

PARAMS = {"max_chunk_chars": 400, "k1": 1.5, "b": 0.75, "epsilon": 0.25, "max_file_mb": 256, "max_docx_xml_mb": 64}
FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Inputs chosen to break naive code: markup, regex syntax, bidi and zero-width characters,
# emoji sequences, control characters, lone surrogates, and the long runs that make
# backtracking regexes explode.
HOSTILE_QUESTIONS = [
    "",
    " ",
    "\u3000\t\n",
    "？",
    "。。。",
    "多少",
    "<b>古丈县</b>现有学校<script>alert(1)</script>多少所？",
    "**古丈县** _现有_ `学校` [多少](http://x.y/z?a=1&b=2) 所？",
    "# 标题\n> 引用\n- 列表",
    ".*+?^$()[]{}|\\",
    "(a+)+$",
    "((((((((((",
    "[^]]*",
    "\\1\\2(?P<x>)",
    "%s%d%n{0}{}",
    "\u202e所多少校学有现县丈古\u202c",
    "مرحبا שלום 古丈县",
    "\u200b\u200c\u200d\ufeff古丈县",
    "👨‍👩‍👧‍👦🏳️‍🌈古丈县学校🔥" * 3,
    "\x00\x01\x02\x1b[31m红色\x1b[0m\x7f",
    "\ud800古丈\udfff县",
    "古丈縣現有各級各類學校多少所？",
    "ＡＢＣ１２３古丈县",
    "1" * 5000,
    "1" * 499 + "所",
    "古丈县" * 33_334,
    "来源：" + " " * 20_000 + "x y",
    "、" + "学" * 10_000,
    "2024 年" * 3000,
    "\r\n" * 1000,
    "\u2028\u2029\x85\x0b\x0c",
    "'; DROP TABLE reports; --",
    "../../etc/passwd",
    '{"question": 1}',
    "null",
    "\\u0000",
    "𠀀𠀁𪚥𫝀" * 10,
]


def _decoded_file(rel: str, corpus: Path = SEEDS) -> str:
    text, _ = decode_bytes((corpus / rel).read_bytes())
    return text


def check_answer(answer, corpus: Path = SEEDS) -> dict:
    """The JSON contract holds and every sentence is the file's text at its offsets."""
    line = json.dumps(answer.to_json(), ensure_ascii=False)
    line.encode("utf-8")  # printable: no lone surrogates reach the output
    data = json.loads(line)
    assert set(data) == ANSWER_JSON_KEYS
    assert (data["refusal"] is None) == data["answered"]
    if data["refusal"] is not None:
        assert data["refusal"]["reason"] in REFUSAL_REASONS
    assert isinstance(data["answered"], bool)
    if data["answered"]:
        assert data["sentences"] and data["message"] == "" and not data["closest"]
    else:
        assert data["message"] and not data["sentences"]
    for s in data["sentences"] + data["closest"]:
        src = s["source"]
        assert _decoded_file(src["path"], corpus)[src["start"] : src["end"]] == s["text"]
    return data


# --- questions, in process ----------------------------------------------------------------------------

any_text = st.text(st.characters(blacklist_categories=()), max_size=300)  # surrogates included
mixed = st.lists(
    st.one_of(
        any_text,
        st.sampled_from(HOSTILE_QUESTIONS),
        st.sampled_from(["古丈县", "学校", "多少", "所", "2024年", "教育", "？"]),
    ),
    max_size=6,
).map("".join)


@pytest.mark.timeout(120)
@FUZZ
@given(question=mixed)
@example(question="\ud800")
@example(question="古丈县现有各级各类学校多少所？")
def test_any_question_gets_a_valid_json_answer(engine, question: str):
    check_answer(engine.answer(question))


@pytest.mark.timeout(120)
@pytest.mark.parametrize("question", HOSTILE_QUESTIONS)
def test_hostile_questions(engine, question: str):
    data = check_answer(engine.answer(question))
    stripped = question.strip()
    if not stripped:
        assert "空" in data["message"]
    elif len(stripped) > engine.settings.max_question_chars:
        assert "太长" in data["message"]


@pytest.mark.timeout(60)
def test_markup_in_a_question_is_data_not_code(engine):
    answer = engine.answer("<b>古丈县</b>现有各级各类学校多少所？<script>alert(1)</script>")
    data = check_answer(answer)
    assert "88所" in shown_json(data)[0]["text"]
    assert data["question"].startswith("<b>")  # echoed verbatim; escaping is the front end's job


# --- questions, through the real command line ----------------------------------------------------------


def run_bytes(args: list, cache: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return run_cli(*args, cache=cache, stdin=stdin if stdin is not None else b"", workers=1)


@pytest.fixture(scope="module")
def cli_cache(engine) -> Path:
    """The session's cache, where the ``engine`` fixture has already indexed the seeds."""
    return Path(os.environ["REPORTQA_CACHE_DIR"])


@pytest.mark.timeout(180)
@pytest.mark.parametrize(
    "question",
    [
        "古丈县学校" * 2000 + "(a+)+$ " * 12_858,  # 100,006 characters (argv holds at most 128 KiB)
        "\u202e所多少校学有现县丈古\u202c 👨‍👩‍👧 \x1b[2J\x07 <i>*x*</i> (a+)+$ \\d{99999}",
        b"\xff\xfe\xed\xa0\x80 \xe5\x8f\xa4\xe4\xb8\x88",  # invalid UTF-8 in argv: surrogate escapes
        "-",
    ],
)
def test_cli_prints_json_and_no_traceback(cli_cache: Path, question):
    proc = run_bytes(["ask", "--json", "--", question], cli_cache)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert proc.stderr == b""
    data = json.loads(proc.stdout.decode("utf-8"))
    assert isinstance(data["answered"], bool) and (data["message"] or data["sentences"])


@pytest.mark.timeout(180)
def test_cli_questions_file_of_hostile_lines(cli_cache: Path):
    lines = [q.replace("\r", " ").replace("\n", " ") for q in HOSTILE_QUESTIONS] + ["古丈县" * 33_334]
    raw = "\n".join(lines).encode("utf-8", "surrogatepass") + b"\n\xff\xfe\x00bad bytes\n"
    proc = run_bytes(["ask", "--json", "--questions", "-"], cli_cache, stdin=raw)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in proc.stderr
    # One JSON document per "\n"-terminated line (U+2028 and friends may appear inside strings).
    rows = [json.loads(line) for line in proc.stdout.decode("utf-8").split("\n") if line]
    assert len(rows) == len(lines) + 1
    assert "太长" in rows[len(lines) - 1]["message"]
    assert all(isinstance(r["answered"], bool) for r in rows)


# --- regular expressions: no catastrophic backtracking ------------------------------------------------


def _patterns(module) -> list[tuple[str, re.Pattern[str]]]:
    """Every compiled pattern a module holds, alone or in a tuple, list or dict."""
    found: list[tuple[str, re.Pattern[str]]] = []
    for name, value in vars(module).items():
        if isinstance(value, re.Pattern):
            found.append((f"{module.__name__}.{name}", value))
        elif isinstance(value, (tuple, list)):
            found += [(f"{module.__name__}.{name}[{i}]", v) for i, v in enumerate(value) if isinstance(v, re.Pattern)]
        elif isinstance(value, dict):
            found += [(f"{module.__name__}.{name}[{k}]", v) for k, v in value.items() if isinstance(v, re.Pattern)]
    return found


ALL_PATTERNS = list(
    {
        id(p): (n, p)
        for m in (
            loader,
            documents,
            chunker,
            headings,
            question,
            shapes,
            reports,
            text_module,
            telegram_render,
            formats_charset,
            formats_html,
            formats_pdf,
            pdf_glyphs,
            pdf_layout,
            pdf_paragraphs,
        )
        for n, p in reversed(_patterns(m))
    }.values()
)  # each pattern once
# Patterns the composer builds per question: the value of the asked kind in its unit.
ALL_PATTERNS += [
    (f"retrieval.answer.question.asked_unit({q})", question.asked_unit(text_module.normalize(q)))
    for q in (
        "投入多少资金？",
        "录取率是多少？",
        "有多少名教师？",
        "这座桥有多长？",
        "工程持续了多久？",
        "哪一年建成？",
        "几月开学？",
        "哪一天举行？",
    )
]
N = 50_000  # the length of a run
SHORT = 1_000  # the same shapes, short: what each pattern finds there it must find in the long run
NEAR = 100  # a first match this close to either end is placed exactly
MANY = 20  # findall counts from here on grow with the run


def pathological(n: int) -> list[str]:
    """Runs of n of one character class (what backtracking feeds on), each followed by a
    character that makes a match fail at the very end."""
    return [
        "1" * n + "x",
        "1." * n + "x",
        " " * n + "x",
        "\u3000" * n + "年",
        "学" * n + "!",
        "、" * n,
        "。" * n + "a",
        "来源：" + " " * n + "x y",
        "[bookmark:" * (n // 10),
        "{\\" * n,
        "www." + "a" * n + " ",
        "2020" * n,
        "2020 " * n,
        "一是" * n,
        "（一" * n,
        "“" + "a" * n,
        "县" * n + "教育",
        "\n" * n,
        "一二三" * n + "x",
        "1" * n + "." + "1" * n,
        "县市区" * n,
        "一" * n + "x",
        "一" * n + "万米",
        "-" * n + "1" * n,
        "第" + " " * n + "1",
        "<meta" + " " * n,
        "<meta charset" * (n // 10),
        "发布时间：" + "2" * n,
        "日期：2024" + "年" * n,
        "<?xml" + " " * n,
    ]


def _found(pattern: re.Pattern, subject: str | bytes) -> tuple:
    """What a pattern finds in a subject, independent of the run's length: whether it matches at
    the start; where its first match starts (counted from the start or, near the end, from the
    end; else "inside"); the last character it matched; and how many matches findall gives
    (counted when few, "many" when they grow with the run)."""
    first = pattern.search(subject)
    where = None
    if first is not None:
        start = first.start()
        where = start if start < NEAR else start - len(subject) if len(subject) - start < NEAR else "inside"
    ends = None if first is None or not first.group(0) else first.group(0)[-1:]
    found = len(pattern.findall(subject))
    return pattern.match(subject) is not None, where, ends, found if found < MANY else "many"


@pytest.mark.parametrize("name", [n for n, _ in ALL_PATTERNS])
def test_no_regex_backtracks_catastrophically(name: str):
    """Each pattern over long runs (a catastrophic one would run for minutes on these, a linear
    one takes milliseconds; the suite's timeout is the hang guard) finds what it finds over the
    same shapes made short."""
    pattern = dict(ALL_PATTERNS)[name]
    for long, short in zip(pathological(N), pathological(SHORT), strict=True):
        if isinstance(pattern.pattern, bytes):  # patterns over raw bytes (a web page's charset)
            long, short = long.encode("utf-8"), short.encode("utf-8")
        assert _found(pattern, long) == _found(pattern, short), (name, short[:40])


def test_every_regex_of_the_engine_is_covered():
    names = {n for n, _ in ALL_PATTERNS}
    assert {
        "retrieval.ingest.documents.NOISE_LINE",
        "retrieval.lang.text.INLINE_NOISE",
        "retrieval.lang.headings.HEADING_PATTERNS[0]",
        "retrieval.ingest.chunker.SENTENCE_END",
        "retrieval.lang.shapes.ANSWER_SHAPES[number]",
        "retrieval.ingest.formats.pdf_paragraphs._PAGE_NUMBER_ANYWHERE",
        "retrieval.ingest.formats.html._META_CHARSET",
    } <= names
    assert len(names) >= 20


@pytest.mark.timeout(120)
def test_a_long_digit_run_in_a_report_does_not_hang_a_question(tmp_path: Path):
    from config import load_settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_bytes((SEEDS / "2024_古丈县教体局_工作总结及2025年工作计划.txt").read_bytes())
    (corpus / "digits.txt").write_text(
        "某县教育局统计表\n全县学生人数的统计编码为" + "7" * 100_000 + "。\n", encoding="utf-8"
    )
    engine = Engine.open(
        load_settings(overrides={"corpus": str(corpus), "cache_dir": str(tmp_path / "c"), "workers": 1})
    )
    assert [d.path for d in engine.documents] == ["a.txt", "digits.txt"]
    check_answer(engine.answer("全县学生人数的统计编码是多少？"), corpus)


def test_chunking_a_link_heavy_file_is_not_quadratic():
    """8,000 lines, each with a link (a boilerplate span): each line is one chunk of one sentence,
    in order, its link marked as noise (chunking looks only at the spans touching each line, so
    this stays linear; the suite's timeout is the hang guard)."""
    from retrieval.ingest.documents import make_document, noise_spans

    lines = [f"详见 www.example.com/{i} 全县学校开展教育工作。" for i in range(8_000)]
    text = "某县教育局工作总结\n" + "".join(line + "\n" for line in lines)
    doc = make_document("x", "x.txt", text)
    noise = noise_spans(text, doc.title)
    assert [text[s:e] for s, e in noise] == [f"www.example.com/{i}" for i in range(8_000)]
    chunks = chunker.chunk_document(doc, noise, 400)
    assert [text[c.start : c.end] for c in chunks] == lines
    assert [c.paragraph for c in chunks] == list(range(2, 8_002))
    assert all(c.sentences == ((c.start, c.end),) for c in chunks)


# --- files: any bytes are read or skipped, never a crash ----------------------------------------------


def _process(tmp_path: Path, name: str, data: bytes) -> FileResult | Skipped:
    folder = tmp_path / "one"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    (folder / name).write_bytes(data)
    files, skipped = discover(folder)
    assert not skipped and len(files) == 1
    result = process_file(files[0], PARAMS)
    assert isinstance(result, (FileResult, Skipped))
    if isinstance(result, Skipped):
        assert result.path == name and result.reason
    return result


def _check_offsets(result: FileResult, expected_text: str | None = None) -> None:
    text = result.text
    if expected_text is not None:
        assert text == expected_text  # line endings and everything else untouched
    assert len(result.chunks) == len(result.tokens)
    for (_section, _paragraph, start, end, pstart, pend, sents), toks in zip(result.chunks, result.tokens):
        assert 0 <= pstart <= start < end <= pend <= len(text)
        assert len(sents) == len(toks) and sents
        for s, e in sents:
            assert start <= s < e <= end
            assert text[s:e].strip() == text[s:e]
    # Through the assembled index (UTF-8 blob, byte-offset table): the same characters come back.
    corpus = assemble([result], PARAMS)
    for c in range(corpus.n_chunks):
        for s in corpus.sentence_range(c):
            cit = corpus.citation(c, s)
            assert corpus.sentence_text(c, s) == text[cit.start : cit.end]


@pytest.mark.timeout(120)
@FUZZ
@given(data=st.binary(max_size=3000), ext=st.sampled_from([".txt", ".md", ".docx", ".TXT"]))
def test_any_bytes_as_a_corpus_file(tmp_path: Path, data: bytes, ext: str):
    result = _process(tmp_path, "f" + ext, data)
    if isinstance(result, FileResult):
        _check_offsets(result, decode_bytes(data)[0] if ext.lower() != ".docx" else None)


LINE_ENDS = st.sampled_from(["\n", "\r\n", "\r", "\u2028", "\x85", "\x0b", "\x0c", "\u2029"])
REPORT_WORDS = st.sampled_from(
    [
        "一、基本情况",
        "（一）",
        "1.",
        "一是",
        "全县",
        "学校",
        "88所",
        "。",
        "；",
        "，",
        "！",
        "？",
        "“",
        "”",
        "2024年",
        "  ",
        "\t",
        "\u3000",
        "www.x.cn/a",
        "[bookmark: a]",
        "来源：本站",
        "某某县教育局",
        "𠀀",
        "ｆｕｌｌ",
        "é",
        "\ufeff",
    ]
)
report_text = st.lists(st.one_of(REPORT_WORDS, LINE_ENDS, st.text(max_size=8)), min_size=1, max_size=80).map("".join)


@pytest.mark.timeout(120)
@FUZZ
@given(text=report_text, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030"]))
def test_sentence_offsets_point_into_the_file_as_decoded(tmp_path: Path, text: str, encoding: str):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        assume(False)
    result = _process(tmp_path, "report.txt", data)
    if isinstance(result, FileResult):
        expected = text[1:] if encoding == "utf-8" and text.startswith("\ufeff") else text
        _check_offsets(result, expected)


def _docx_bytes(paragraphs: list[str]) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", xml)
    return buffer.getvalue()


VALID_DOCX = _docx_bytes(["某县教育局工作总结", "一、基本情况", "全县现有学校42所，在校学生18650人。"] * 5)


@pytest.mark.timeout(120)
@FUZZ
@given(
    cut=st.integers(0, len(VALID_DOCX)),
    flips=st.lists(st.tuples(st.integers(0, len(VALID_DOCX) - 1), st.integers(1, 255)), max_size=8),
)
def test_damaged_docx_is_read_or_skipped(tmp_path: Path, cut: int, flips: list[tuple[int, int]]):
    data = bytearray(VALID_DOCX)
    for pos, xor in flips:
        data[pos] ^= xor
    result = _process(tmp_path, "report.docx", bytes(data[:cut] if cut else data))
    if isinstance(result, FileResult):
        _check_offsets(result)


@pytest.mark.timeout(180)
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.one_of(st.binary(max_size=2000), report_text.map(lambda t: t.encode("utf-8", "surrogatepass"))),
    ext=st.sampled_from([".txt", ".md", ".docx"]),
)
def test_a_hostile_file_never_stops_the_rest_of_the_corpus(tmp_path_factory, data: bytes, ext: str):
    from config import load_settings

    root = tmp_path_factory.mktemp("corpus")
    corpus = root / "corpus"
    corpus.mkdir()
    good = "2024_古丈县教体局_工作总结及2025年工作计划.txt"
    (corpus / good).write_bytes((SEEDS / good).read_bytes())
    (corpus / f"hostile{ext}").write_bytes(data)
    engine = Engine.open(
        load_settings(overrides={"corpus": str(corpus), "cache_dir": str(root / "cache"), "workers": 1})
    )
    paths = {d.path for d in engine.documents} | {s.path for s in engine.skipped}
    assert paths == {good, f"hostile{ext}"}
    answer = engine.answer("古丈县现有各级各类学校多少所？")
    data_out = check_answer(answer, corpus)
    assert data_out["answered"] and "88所" in data_out["sentences"][0]["text"]
