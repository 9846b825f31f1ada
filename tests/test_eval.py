"""The evaluator: reading question sets, judging answers, metric arithmetic, the command."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace

import pytest

from bot import evaluate as ev, question_sets
from retrieval.types import Answer, Citation, Sentence


def _sentence(text: str, path: str) -> Sentence:
    return Sentence(text, 1.0, Citation(path, path, path, "", 1, 0, len(text), 0, len(text)))


def _item(answers=("88所",), reports=("a.txt",), answerable=True, kind="fact") -> ev.Item:
    return ev.Item("q", "问题？", tuple(answers), tuple(reports), answerable, kind)


# --- parsing ------------------------------------------------------------------------------------


def test_parse_jsonl_fields_and_report_forms():
    text = "\n".join(
        [
            json.dumps(
                {
                    "id": "a",
                    "question": "几所？",
                    "answers": ["88所"],
                    "report": "x.txt",
                    "answerable": True,
                    "kind": "fact",
                },
                ensure_ascii=False,
            ),
            "",
            json.dumps(
                {
                    "id": "b",
                    "question": "各地？",
                    "answers": ["1", "2"],
                    "report": ["x.txt", "y.txt"],
                    "answerable": True,
                    "kind": "multi",
                },
                ensure_ascii=False,
            ),
            json.dumps(
                {
                    "id": "c",
                    "question": "天气？",
                    "answers": [],
                    "report": None,
                    "answerable": False,
                    "kind": "unanswerable",
                },
                ensure_ascii=False,
            ),
        ]
    )
    items = question_sets.parse_jsonl(text)
    assert [i.qid for i in items] == ["a", "b", "c"]
    assert items[0].reports == ("x.txt",) and items[0].answers == ("88所",)
    assert items[1].reports == ("x.txt", "y.txt")
    assert items[2].reports == () and not items[2].answerable and items[2].kind == "unanswerable"


@pytest.mark.parametrize(
    "line, fragment",
    [
        ("{not json", "第 1 行"),
        ('{"answers": ["x"]}', "question"),
        ('{"question": "q", "answers": "x", "report": 3}', "report"),
        ('{"question": "q", "answers": [], "answerable": true}', "answers"),
        ('{"question": "q", "answers": ["x"], "answerable": "yes"}', "answerable"),
    ],
)
def test_parse_jsonl_rejects_bad_lines_with_a_clear_message(line, fragment):
    with pytest.raises(ev.EvalError) as info:
        question_sets.parse_jsonl(line, "dev.jsonl")
    assert fragment in str(info.value)


def test_parse_jsonl_empty_file_is_an_error():
    with pytest.raises(ev.EvalError):
        question_sets.parse_jsonl("\n\n")


SQUAD = {
    "version": "v1",
    "data": [
        {
            "title": "甲",
            "paragraphs": [
                {
                    "context": "甲城建于1900年。甲城有三所大学。",
                    "qas": [
                        {"id": "1", "question": "甲城建于哪一年？", "answers": [{"text": "1900年", "answer_start": 4}]},
                        {
                            "id": "2",
                            "question": "甲城有几所大学？",
                            "answers": [{"text": "三所", "answer_start": 11}, {"text": "三所", "answer_start": 11}],
                        },
                    ],
                },
            ],
        },
        {
            "title": "乙",
            "paragraphs": [
                {
                    "context": "乙河長一百公里。",
                    "qas": [
                        {"id": "3", "question": "乙河有多長？", "answers": [{"text": "一百公里", "answer_start": 3}]}
                    ],
                },
            ],
        },
    ],
}


def test_parse_squad_paragraph_per_document(tmp_path):
    contexts, items = question_sets.parse_squad(SQUAD)
    assert contexts == ["甲城建于1900年。甲城有三所大学。", "乙河長一百公里。"]
    assert [i.reports for i in items] == [("00000.txt",), ("00000.txt",), ("00001.txt",)]
    assert items[1].answers == ("三所",)  # duplicates collapse
    assert all(i.answerable for i in items)
    ev.write_paragraph_corpus(contexts, tmp_path)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["00000.txt", "00001.txt"]
    body = (tmp_path / "00001.txt").read_text(encoding="utf-8")
    assert "乙河長一百公里。" in body  # verbatim, Traditional characters kept


def test_load_questions_detects_format(tmp_path):
    squad = tmp_path / "set.json"
    squad.write_text(json.dumps(SQUAD, ensure_ascii=False), encoding="utf-8")
    items, contexts = ev.load_questions(squad)
    assert len(items) == 3 and contexts is not None
    jsonl = tmp_path / "set.jsonl"
    jsonl.write_text('{"question": "几所？", "answers": ["88所"], "report": "x.txt"}\n', encoding="utf-8")
    items, contexts = ev.load_questions(jsonl)
    assert contexts is None and items[0].answerable
    with pytest.raises(ev.EvalError):
        question_sets.parse_squad({"data": [{"paragraphs": [{"qas": []}]}]})
    with pytest.raises(ev.EvalError):
        ev.load_questions(tmp_path / "missing.jsonl")


# --- judging and metrics ------------------------------------------------------------------------


def test_judge_ranks_answer_and_report():
    answer = Answer(
        "q",
        True,
        (_sentence("没有", "b.txt"), _sentence("还没有", "b.txt"), _sentence("共有88所学校", "a.txt")),
        more=(_sentence("88所", "c.txt"),),
    )
    o = ev.judge(_item(), answer, 0.01)
    assert o.answer_rank == 3 and o.report_rank == 2 and o.answered


def test_judge_refusal_scores_nothing():
    o = ev.judge(_item(), Answer("q", False, message="没有"), 0.0)
    assert o.answer_rank == 0 and o.report_rank == 0 and not o.answered


def test_a_refusals_closest_sentences_score_nothing_but_are_listed():
    """Closest sentences are not an answer: a right one still counts as a refusal, and the
    failures file shows it next to the empty answer."""
    refusal = Answer("q", False, message="没有", closest=(_sentence("共有88所学校", "a.txt"),))
    o = ev.judge(_item(), refusal, 0.0)
    assert o.answer_rank == 0 and o.report_rank == 0 and not o.answered
    [row] = ev.failures([o])
    assert row["sentences"] == [] and row["closest"] == [{"text": "共有88所学校", "report": "a.txt"}]


def test_judge_compares_gold_verbatim():
    # The gold fragment must occur in the original characters of the sentence.
    answer = Answer("q", True, (_sentence("乙河長一百公里。", "a.txt"),))
    assert ev.judge(_item(answers=("一百公里",)), answer, 0).answer_rank == 1
    assert ev.judge(_item(answers=("乙河长",)), answer, 0).answer_rank == 0


def _outcome(rank, report_rank=1, answered=True, answerable=True, ms=1.0):
    item = _item(answerable=answerable, answers=("x",) if answerable else (), reports=("a",) if answerable else ())
    return ev.Outcome(item, answered, rank, report_rank, ms / 1000)


def test_summarize_arithmetic():
    outcomes = [
        _outcome(1, ms=1),
        _outcome(2, ms=2),
        _outcome(4, report_rank=6, ms=3),
        _outcome(0, report_rank=0, answered=False, ms=4),
        _outcome(0, 0, answered=False, answerable=False, ms=5),
        _outcome(0, 0, answered=True, answerable=False, ms=100),
    ]
    s = ev.summarize(outcomes)
    assert (s["questions"], s["answerable"], s["unanswerable"]) == (6, 4, 2)
    assert s["answer_at_1"] == 0.25
    assert s["answer_at_3"] == 0.5
    assert s["mrr"] == round((1 + 1 / 2 + 1 / 4) / 4, 4)
    assert s["report_at_1"] == 0.5 and s["report_at_5"] == 0.5
    assert s["refused_unanswerable"] == 0.5
    assert s["refused_answerable"] == 0.25
    assert s["latency_ms_p50"] == 3.5
    assert s["latency_ms_p95"] == pytest.approx(5 + 0.75 * 95, abs=0.01)  # rank 4.75 of 0..5


def test_percentile_and_empty_shares():
    assert ev.percentile([], 0.5) == 0.0
    assert ev.percentile([3, 1, 2], 0.5) == 2
    assert ev.percentile([0, 10], 0.95) == pytest.approx(9.5)
    s = ev.summarize([_outcome(1)])
    assert s["refused_unanswerable"] is None


def test_failures_lists_misses_and_wrong_answers():
    rows = ev.failures(
        [
            _outcome(1),
            _outcome(2),
            _outcome(0, 0, answered=True, answerable=False),
            _outcome(0, 0, answered=False, answerable=False),
        ]
    )
    assert [(r["answer_rank"], r["answerable"]) for r in rows] == [(2, True), (0, False)]


# --- the command --------------------------------------------------------------------------------


def _args(path, **kw):
    base = dict(questions_file=str(path), json=False, limit=None, failures=None, quiet=True, corpus=None)
    base.update(kw)
    return argparse.Namespace(**base)


def test_command_on_a_tiny_squad_set(tmp_path, settings, capsys):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(SQUAD, ensure_ascii=False), encoding="utf-8")
    failures = tmp_path / "fail.jsonl"
    code = ev.run_eval_command(_args(path, json=True, failures=str(failures)), settings)
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["questions"] == 3 and data["answerable"] == 3
    assert 0.0 <= data["answer_at_1"] <= 1.0
    assert failures.exists()


def test_command_errors_are_one_line(tmp_path, settings, capsys):
    assert ev.run_eval_command(_args(tmp_path / "nope.jsonl"), settings) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and err.count("\n") == 1
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(SQUAD, ensure_ascii=False), encoding="utf-8")
    assert ev.run_eval_command(_args(path, corpus="seeds"), settings) == 2
    assert "--corpus" in capsys.readouterr().err
    assert ev.run_eval_command(_args(path, limit=0), settings) == 2


def test_judge_ignores_white_space_and_reads_outcomes_and_pages():
    from bot.evaluate import judge, summarize
    from bot.question_sets import Item
    from retrieval.types import Answer, Citation, Sentence

    cite = Citation(
        doc_id="a", title="t", path="a.pdf", section="", paragraph=1, start=0, end=1, para_start=0, para_end=1, page=3
    )
    spaced = Sentence("第 二 产 业 增 加 值 8649.7 亿 元。", 1.0, cite)
    item = Item("q1", "第二产业增加值多少？", ("8649.7亿元",), ("a.pdf",), True, "table", page=3)
    right = judge(item, Answer(item.question, True, (spaced,)), 0.01)
    assert right.answer_rank == 1 and right.outcome == "answer" and right.page_right is True
    wrong_page = judge(Item("q2", "x", ("8649.7亿元",), ("a.pdf",), True, page=4), Answer("x", True, (spaced,)), 0.01)
    assert wrong_page.page_right is False
    unsure = judge(item, Answer(item.question, False, closest=(spaced,)), 0.01)
    assert unsure.outcome == "unsure" and unsure.answer_rank == 0 and unsure.shown_rank == 1
    none = judge(Item("q3", "y", (), (), False), Answer("y", False), 0.01)
    assert none.outcome == "none"
    answered_wrong = judge(Item("q4", "z", (), (), False), Answer("z", True, (spaced,)), 0.01)
    summary = summarize([right, wrong_page, unsure, none, answered_wrong])
    assert summary["outcomes"] == {"answer": 3, "unsure": 1, "none": 1}
    # Three answered: two right first sentences, one unanswerable question answered.
    assert summary["answered_precision"] == round(2 / 3, 4)
    # The page is read off the first shown sentence holding the gold, an answer's or 可能相关's.
    assert unsure.page_right is True and summary["page_right"] == round(2 / 3, 4)
    assert summary["unsure_answerable"] == round(1 / 3, 4)
    # A sentence that runs onto the next page is printed on both.
    turned = Sentence(spaced.text, 1.0, replace(cite, page_end=4))
    assert judge(
        Item("q5", "x", ("8649.7亿元",), ("a.pdf",), True, page=4), Answer("x", True, (turned,)), 0.01
    ).page_right
    assert turned.citation.pages == "第3–4页" and cite.pages == "第3页"


def test_shown_at_3_counts_the_first_three_sentences_shown_whether_answered_or_unsure():
    """Gold in the first three sentences a user sees: an answer's sentences (not the further ones
    paged by 更多), or the closest sentences of an unsure answer; nothing shown counts as a miss."""
    other = [_sentence(f"其他内容{i}", "a.txt") for i in range(4)]
    gold = _sentence("全县共有88所学校", "a.txt")
    third = ev.judge(_item(), Answer("q", True, (other[0], other[1], gold)), 0.0)
    paged = ev.judge(_item(), Answer("q", True, tuple(other[:3]), more=(gold,)), 0.0)
    unsure = ev.judge(_item(), Answer("q", False, closest=(other[0], gold)), 0.0)
    none = ev.judge(_item(), Answer("q", False), 0.0)
    assert (third.shown_rank, paged.shown_rank, unsure.shown_rank, none.shown_rank) == (3, 0, 2, 0)
    assert paged.answer_rank == 4  # ranked further, but not shown with the answer
    s = ev.summarize([third, paged, unsure, none])
    assert s["shown_at_1"] == 0.0 and s["shown_at_3"] == 0.5
    assert "显示的前三句" in ev.format_table("t", s)


def test_a_cited_page_that_prints_the_gold_too_holds_the_answer(tmp_path):
    """The same figure in a table on page 1 and a note on page 2: a citation to page 2 holds the
    answer, though the question set names page 1; read from the PDF itself."""
    from bot.evaluate import judge, summarize
    from bot.printed_pages import PrintedPages
    from bot.question_sets import Item
    from retrieval.types import Answer, Citation, Sentence
    from tests.pdfbuild import draw_line, layout_pdf

    pdf = layout_pdf(
        [
            lambda c: draw_line(c, 72, 700, "普法宣传 1242900.00"),
            lambda c: draw_line(c, 72, 700, "普法宣传预算 1242900.00 元。"),
            lambda c: draw_line(c, 72, 700, "其他说明。"),
        ]
    )
    (tmp_path / "b.pdf").write_bytes(pdf)
    printed = PrintedPages(tmp_path)
    assert printed.prints("b.pdf", 2, 2, ["1242900.00"]) and not printed.prints("b.pdf", 3, 3, ["1242900.00"])
    assert not printed.prints("absent.pdf", 1, 1, ["1242900.00"]) and not printed.prints("b.pdf", 9, 9, ["1242900.00"])
    # Fragments are read as the engine reads text (full-width digits); one too short to tell a
    # page apart is not taken as printed there.
    assert printed.prints("b.pdf", 1, 1, ["１２４２９００．００"]) and not printed.prints("b.pdf", 1, 1, ["普法"])

    def cited(page: int) -> Sentence:
        cite = Citation("b", "t", "b.pdf", "", 1, 0, 1, 0, 1, page=page)
        return Sentence("普法宣传预算1242900.00元。", 1.0, cite)

    item = Item("q1", "普法宣传预算多少？", ("1242900.00",), ("b.pdf",), True, "table", page=1)
    other_page = judge(item, Answer(item.question, True, (cited(2),)), 0.01, printed)
    assert other_page.page_right is False and other_page.page_holds is True
    wrong = judge(item, Answer(item.question, True, (cited(3),)), 0.01, printed)
    assert wrong.page_right is False and wrong.page_holds is False
    assert judge(item, Answer(item.question, True, (cited(2),)), 0.01).page_holds is False  # no pages to read
    summary = summarize([other_page, wrong])
    assert summary["page_right"] == 0.0 and summary["page_holds"] == 0.5
