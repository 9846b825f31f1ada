"""The command line as users run it: subprocesses, real output, exit codes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from retrieval.answer.refusals import REASONS as REFUSAL_REASONS
from tests.conftest import ANSWER_JSON_KEYS, SEEDS, run_cli


def run(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None, cache: Path
) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cache=cache, env=env, stdin=stdin)


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli-cache")


def _decoded(path: str) -> str:
    # The seeds are UTF-8; read without newline translation so offsets match.
    with open(SEEDS / path, encoding="utf-8", newline="") as fh:
        return fh.read()


def test_ask_json_contract_and_offsets(cache: Path):
    proc = run("ask", "--json", "古丈县现有各级各类学校多少所？", cache=cache)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == ANSWER_JSON_KEYS
    assert (data["refusal"] is None) == data["answered"]
    assert data["outcome"] == "answer"
    if data["refusal"] is not None:
        assert data["refusal"]["reason"] in REFUSAL_REASONS
    assert data["resolved"] == data["question"]
    assert data["answered"] is True and data["message"] == "" and data["closest"] == []
    assert 1 <= len(data["sentences"]) <= 3
    scores = [s["score"] for s in data["sentences"]]
    assert scores == sorted(scores, reverse=True)
    first = data["sentences"][0]
    assert "88所" in first["text"]
    assert set(first) == {"text", "score", "source"}
    assert set(first["source"]) == {
        "doc_id",
        "title",
        "path",
        "section",
        "paragraph",
        "start",
        "end",
        "year",
        "period",
        "page",
        "page_end",
        "format",
        "table",
        "row",
    }
    assert first["source"]["table"] is None and first["source"]["row"] is None  # not a table row
    assert first["source"]["year"] == 2024
    assert "古丈" in first["source"]["path"] and isinstance(first["source"]["paragraph"], int)
    assert first["source"]["page"] is None and first["source"]["page_end"] is None  # pages: PDFs only
    assert first["source"]["format"] == "txt"
    for s in data["sentences"]:
        src = s["source"]
        assert _decoded(src["path"])[src["start"] : src["end"]] == s["text"]


def test_refusal_shows_the_closest_sentences_as_unconfirmed(cache: Path):
    """A question in everyday words is refused, but its closest sentences are shown under a
    heading that says they are not confirmed, with citations and offsets like answers."""
    question = "长葛市哪个星期不开会？"
    data = json.loads(run("ask", "--json", question, cache=cache).stdout)
    assert data["answered"] is False and data["sentences"] == [] and data["outcome"] == "unsure"
    assert "可能相关" in data["message"] and 0 < data["confidence"] < data["refusal"]["threshold"]
    assert 1 <= len(data["closest"]) <= 2 and "无会周" in data["closest"][0]["text"]
    for s in data["closest"]:
        src = s["source"]
        assert _decoded(src["path"])[src["start"] : src["end"]] == s["text"]
    lines = run("ask", question, cache=cache).stdout.splitlines()
    assert lines[0].startswith("没有把握回答") and lines[2] == "可能相关，请核对原文："
    assert lines[3].startswith("[1] ") and "无会周" in lines[3] and "第18段" in lines[4]


def test_a_question_far_from_every_report_shows_nothing_closest(cache: Path):
    data = json.loads(run("ask", "--json", "古丈县明天天气怎么样？", cache=cache).stdout)
    assert data["answered"] is False and data["closest"] == []
    assert run("ask", "古丈县明天天气怎么样？", cache=cache).stdout.count("\n") == 1


def test_ask_text_output_cites_the_report(cache: Path):
    proc = run("ask", "古丈县现有各级各类学校多少所？", cache=cache)
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("[1] ") and "88所" in lines[0]
    assert "古丈县教体局2024年工作总结及2025年工作计划 › 一、基本情况，第" in lines[1]


def test_questions_file_gives_one_json_line_per_question_in_order(cache: Path, tmp_path: Path):
    questions = ["古丈县现有各级各类学校多少所？", "", "比特币价格", "溆浦县一年来共补充教师多少人？"]
    qfile = tmp_path / "q.txt"
    qfile.write_text("\n".join(questions) + "\n", encoding="utf-8")
    proc = run("ask", "--json", "--questions", str(qfile), cache=cache)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["question"] for r in rows] == questions
    assert [r["answered"] for r in rows] == [True, False, False, False]
    assert [r["outcome"] for r in rows] == ["answer", "none", "none", "unsure"]
    assert "空" in rows[1]["message"] and rows[2]["message"]


def test_traditional_and_full_width_questions(engine):
    simplified = engine.answer("古丈县现有各级各类学校多少所？").sentences[0]
    traditional = engine.answer("古丈縣現有各級各類學校多少所？").sentences[0]
    assert traditional.citation == simplified.citation
    full_width = engine.answer("古丈县全县共有学生多少人？有没有１５６１２人？")
    assert any("15612" in s.text for s in full_width.sentences)


def test_over_long_question_is_refused_with_a_message(engine):
    answer = engine.answer("学校" * 400)
    assert not answer.answered and "太长" in answer.message


def test_repl_reads_piped_questions(cache: Path):
    proc = run("repl", stdin="古丈县现有各级各类学校多少所？\n:open 1\n:sources\n:open 9\n:bogus\n", cache=cache)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "[1] 古丈县现有各级各类学校88所" in out
    assert "【古丈县现有各级各类学校88所" in out  # :open highlights the sentence in its paragraph
    assert "共收录 5 份报告" in out
    assert "用法：:open N" in out and "未知命令" in out


def test_repl_opens_a_closest_sentence_of_a_refusal(cache: Path):
    proc = run("repl", stdin="长葛市哪个星期不开会？\n:open 1\n", cache=cache)
    assert proc.returncode == 0, proc.stderr
    assert "可能相关，请核对原文" in proc.stdout and "【减少会议总量" in proc.stdout


def test_index_reports_what_it_holds_and_reuses_the_cache(cache: Path, tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in sorted(SEEDS.iterdir())[:2]:
        (corpus / path.name).write_bytes(path.read_bytes())
    (corpus / "broken.txt").write_bytes(b"\x00\x01binary")
    first = run("index", "--corpus", str(corpus), cache=cache)
    assert first.returncode == 0, first.stderr
    assert "已重建索引：2 份报告" in first.stdout and "broken.txt" in first.stdout
    again = run("index", "--corpus", str(corpus), cache=cache)
    assert "索引已是最新" in again.stdout
    (corpus / "new.txt").write_text("某县教育局2022年工作总结\n全县新建学校7所，投入资金3.5亿元。\n", encoding="utf-8")
    third = run("index", "--corpus", str(corpus), cache=cache)
    assert "已重建索引：3 份报告" in third.stdout
    assert "重新分词 1 个文件，复用缓存 2 个文件" in third.stdout


def test_index_says_what_was_read_and_lists_it_per_file_with_details(cache: Path, tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_bytes((SEEDS / sorted(p.name for p in SEEDS.iterdir())[0]).read_bytes())
    (corpus / "b.html").write_text(
        '<html><head><meta charset="utf-8"></head><body><div class="content"><h1>某省2022年统计公报</h1>'
        "<p>全年地区生产总值32074.7亿元，比上年增长4.7%。</p><p>表1  年末常住人口</p><p><img src='1.png'></p>"
        "</div></body></html>",
        encoding="utf-8",
    )
    plain = run("index", "--corpus", str(corpus), cache=cache)
    assert plain.returncode == 0, plain.stderr
    assert "读取 2 个文件：" in plain.stdout and "未能读取：1 张表格是图片（1 个文件；加 --details" in plain.stdout
    assert "各文件读取情况" not in plain.stdout
    detailed = run("index", "--details", "--corpus", str(corpus), cache=cache)
    assert "各文件读取情况：" in detailed.stdout
    assert "  - b.html（html）：1 段；未能读取：1 张表格是图片" in detailed.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (("ask", "--corpus", "/nonexistent/folder", "问题"), "语料文件夹不存在"),
        (("ask", "--top-k", "-1", "问题"), "top_k"),
        (("ask", "--config", "/nonexistent.toml", "问题"), "config file not found"),
        (("ask",), "请给出问题"),
    ],
)
def test_errors_are_one_line_without_traceback(cache: Path, args: tuple[str, ...], message: str):
    proc = run(*args, cache=cache)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_empty_corpus_is_a_clear_error(cache: Path, tmp_path: Path):
    proc = run("ask", "--corpus", str(tmp_path), "问题", cache=cache)
    assert proc.returncode == 2 and "没有可读的报告" in proc.stderr and "Traceback" not in proc.stderr


def test_repl_history_variable_is_not_mistaken_for_a_setting(cache: Path, tmp_path: Path):
    proc = run("repl", stdin="比特币价格\n", cache=cache, env={"REPORTQA_HISTORY": str(tmp_path / "history")})
    assert proc.returncode == 0, proc.stderr
    assert "没有找到" in proc.stdout


def test_json_lines_survive_unicode_line_separators(engine):
    from bot import render

    line = render.answer_json(engine.answer("古丈县\u2028现有学校多少所？\u2029"))
    assert len(line.splitlines()) == 1
    assert json.loads(line)["question"] == "古丈县\u2028现有学校多少所？\u2029"


def test_ask_conversation_reads_follow_ups_and_empty_lines_start_anew(cache: Path, tmp_path: Path):
    questions = tmp_path / "chat.txt"
    questions.write_text("古丈县全县共有学生多少人？\n那长葛市呢？\n\n那长葛市呢？\n", encoding="utf-8")
    proc = run("ask", "--json", "--questions", str(questions), "--conversation", cache=cache)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["question"] for r in rows] == ["古丈县全县共有学生多少人？", "那长葛市呢？", "那长葛市呢？"]
    assert rows[0]["resolved"] == rows[0]["question"]
    assert rows[1]["resolved"].startswith("长葛市") and "学生" in rows[1]["resolved"]
    assert rows[2]["resolved"] == "那长葛市呢？"  # a new conversation: nothing to lean on
    # Without --conversation every line stands alone.
    alone = run("ask", "--json", "--questions", str(questions), cache=cache)
    assert all(json.loads(line)["resolved"] == json.loads(line)["question"] for line in alone.stdout.splitlines())
    bad = run("ask", "--conversation", "古丈县有多少所学校？", cache=cache)
    assert bad.returncode == 2 and "--questions" in bad.stderr


def test_repl_is_a_conversation_and_new_starts_another(cache: Path):
    proc = run("repl", stdin="古丈县全县共有学生多少人？\n老师呢？\n:new\n老师呢？\n", cache=cache)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.count("（按“") == 1 and "（按“古丈县" in out and "理解）" in out
    assert "已开始新的对话。" in out
    before, after = out.split("已开始新的对话。")
    assert "（按“" in before and "（按“" not in after
