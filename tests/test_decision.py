"""The answer decision's pieces, each alone: qualifiers, the decision row, the model file."""

from __future__ import annotations

import numpy as np
import pytest

from config import ConfigError
from retrieval.answer.decision import (
    COLUMNS,
    DecisionModel,
    Evidence,
    decision_row,
    load_decision,
    softmax_share,
)
from retrieval.answer.matching import (
    ABSENT,
    CONTEXT,
    CONTRADICTED,
    MATCHED,
    Asked,
    Qualifier,
    qualifier_status,
    swapped_modifiers,
    table_match,
)
from retrieval.lang.classes import WordClasses
from tests.yearbuild import OTHER, write_yearly_reports

EXAM = Qualifier("中考", frozenset({"高考", "会考"}))


@pytest.mark.parametrize(
    "sentence, context, status",
    [
        ("2024年中考合格率位居全州第三", "", MATCHED),
        ("今年高考成绩稳中有进，一本上线799人", "", CONTRADICTED),
        ("600分以上167人", "中考成绩再创新高", CONTEXT),
        ("教育质量稳步提升", "", ABSENT),
    ],
)
def test_a_qualifier_is_matched_contradicted_in_context_or_absent(sentence, context, status):
    assert qualifier_status(EXAM, sentence, context) == status


def test_a_synonym_of_the_qualifier_counts_as_matched():
    teacher = Qualifier("老师", frozenset({"学生"}), synonyms=("教师",))
    assert qualifier_status(teacher, "全县共有教师1296人，学生15612人", "") == MATCHED


def test_word_classes_give_the_other_members_and_the_words_of_a_text():
    classes = WordClasses([["中考", "高考"], ["小学", "初中", "高中"]])
    assert classes.siblings("中考") == {"高考"}
    assert classes.siblings("高中") == {"小学", "初中"}
    assert classes.siblings("本科") == frozenset()
    assert classes.words_in("长葛高中今年高考上线多少人") == ("高中", "高考")


def test_a_modifier_swapped_before_a_shared_word_is_counted():
    assert swapped_modifiers(["城镇", "登记", "失业率"], ["城镇", "调查", "失业率", "5.5%"], "") == 1
    # The same modifier in the sentence is no swap; nor is a word the sentence never shares.
    assert swapped_modifiers(["城镇", "登记", "失业率"], ["城镇", "登记", "失业率", "4%"], "") == 0
    assert swapped_modifiers(["农村", "学校"], ["全县", "幼儿园", "56所"], "") == 0
    # Figures are not modifiers.
    assert swapped_modifiers(["2023", "失业率"], ["2024", "失业率"], "") == 0


def test_softmax_share_is_the_first_scores_share():
    assert softmax_share([1.0, 1.0]) == pytest.approx(0.5)
    assert softmax_share([10.0, 0.0]) > 0.99
    assert softmax_share([]) == 0.0


def _evidence(**changes) -> Evidence:
    base = dict(
        confidence=0.4,
        confidence_max=0.4,
        before_vetoes=0.4,
        scores=(3.0, 1.0),
        tok_cov=0.5,
        big_cov=0.5,
        ctx_cov=0.6,
        win_cov=0.6,
        unit_missing=False,
        figure=True,
        period_other=False,
        year_missing=False,
        part_other=False,
        foreign_place=False,
        cos=0.0,
        has_vectors=False,
        n_terms=4,
    )
    base.update(changes)
    return Evidence(**base)


def test_the_decision_row_has_one_value_per_column_in_order():
    asked = Asked("人数", (EXAM,))
    row = decision_row(
        asked, _evidence(), "今年高考本科分数线以上167人", "", ["中考", "分数线"], ["高考", "本科", "分数线"]
    )
    assert row.shape == (len(COLUMNS),)
    value = dict(zip(COLUMNS, row))
    assert value["q_contradicted"] == 1 and value["q_matched"] == 0 and value["n_qualifiers"] == 1
    assert value["score_gap"] == pytest.approx(2.0) and value["figure"] == 1.0
    assert value["swapped"] == 1


def test_a_table_rows_label_and_column_names_are_matched_against_the_question():
    row = "古丈县第一中学：学生数2148人，专任教师数150人，校长为张三。"
    assert table_match(["第一中学", "专任教师数"], row, True) == (0.5, 1.0)
    assert table_match(["第一中学", "校长"], row, True) == (0.5, 1.0)  # a column of text: 列名为值
    assert table_match(["第二中学", "学生数"], row, True) == (0.0, 1.0)
    assert table_match(["第一中学", "面积"], row, True) == (0.5, 0.0)
    # Only table rows are read: a sentence with the same words is not one.
    assert table_match(["第一中学", "专任教师数"], row, False) == (0.0, 0.0)
    assert table_match(["学生数"], "学生数2148人。", True) == (0.0, 1.0)  # a row without a label
    # Normalised text (half-width colon and comma) reads the same.
    assert table_match(["第一中学", "专任教师数"], "古丈县第一中学:学生数2148人,专任教师数150人。", True) == (0.5, 1.0)


def test_the_row_reads_table_matches():
    row = decision_row(
        Asked("学生数", ()),
        _evidence(table_row=True),
        "古丈县第一中学：2024年学生数2148人。",
        "",
        ["第一中学", "学生数"],
        [],
    )
    value = dict(zip(COLUMNS, row))
    assert value["table_row"] == 1.0 and value["table_label"] == 0.5 and value["table_column"] == 1.0


def test_a_sentence_shown_first_below_the_best_score_has_a_negative_gap():
    """The newest year's sentence is shown first even when an older one scores higher."""
    value = dict(zip(COLUMNS, decision_row(Asked("", ()), _evidence(scores=(2.0, 3.0, 1.0)), "x", "")))
    assert value["score_gap"] == pytest.approx(-1.0)
    assert value["score_softmax"] < 0.5


def _model(**changes) -> dict:
    n = len(COLUMNS)
    data = {
        "columns": list(COLUMNS),
        "mean": [0.0] * n,
        "scale": [1.0] * n,
        "coef": [0.0] * n,
        "intercept": 0.0,
        "calib_x": [0.0, 1.0],
        "calib_y": [0.0, 1.0],
        "answer_at": 0.8,
        "unsure_at": 0.3,
    }
    data.update(changes)
    return data


def test_the_model_turns_a_row_into_a_calibrated_probability_and_an_outcome():
    coef = [0.0] * len(COLUMNS)
    coef[COLUMNS.index("q_contradicted")] = -4.0
    model = DecisionModel.from_mapping(_model(coef=coef, intercept=2.0))
    clean, contradicted = np.zeros(len(COLUMNS)), np.zeros(len(COLUMNS))
    contradicted[COLUMNS.index("q_contradicted")] = 1.0
    assert model.probability(clean) == pytest.approx(1 / (1 + np.exp(-2.0)))
    assert model.probability(contradicted) < 0.2
    assert model.outcome(0.9) == "answer" and model.outcome(0.5) == "unsure" and model.outcome(0.1) == "none"
    assert model.outcome(0.5, on_topic=False) == "none" and model.outcome(0.9, on_topic=False) == "answer"
    # The isotonic points map a raw probability piecewise linearly.
    squashed = DecisionModel.from_mapping(_model(calib_x=[0.0, 0.5, 1.0], calib_y=[0.0, 0.1, 0.2]))
    assert squashed.probability(clean) == pytest.approx(0.1)


def test_a_question_mostly_in_words_the_reports_do_not_use_needs_more_to_be_shown():
    model = DecisionModel.from_mapping(_model(unsure_at=0.02, foreign_share=0.6, foreign_at=0.1))
    assert model.outcome(0.05) == "unsure" and model.outcome(0.05, foreign=0.5) == "unsure"
    assert model.outcome(0.05, foreign=0.7) == "none" and model.outcome(0.2, foreign=0.7) == "unsure"
    assert model.outcome(0.05, foreign=0.6) == "none"  # the share itself counts as mostly foreign
    # foreign_at below unsure_at never lets a question through that unsure_at holds back.
    low = DecisionModel.from_mapping(_model(unsure_at=0.05, foreign_at=0.03))
    assert low.outcome(0.04, foreign=1.0) == "none" and low.outcome(0.06, foreign=1.0) == "unsure"
    assert model.outcome(0.9, foreign=1.0) == "answer"
    # Without the two numbers in the file, the defaults hold; an impossible share is refused.
    assert DecisionModel.from_mapping(_model()).foreign_share == DecisionModel.foreign_share
    with pytest.raises(ValueError, match="foreign_share"):
        DecisionModel.from_mapping(_model(foreign_share=0.0))


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"columns": ["confidence"]}, "columns"),
        ({"coef": [1.0]}, "one number per column"),
        ({"calib_y": [0.0]}, "calib_x"),
        ({"answer_at": 0.2, "unsure_at": 0.5}, "unsure_at"),
    ],
)
def test_a_model_that_does_not_fit_is_refused_with_a_reason(changes, words):
    with pytest.raises(ValueError, match=words):
        DecisionModel.from_mapping(_model(**changes))


def test_a_bad_decision_file_is_a_config_error_and_a_missing_one_means_no_model(tmp_path):
    assert load_decision(tmp_path / "absent.toml") is None
    bad = tmp_path / "decision.toml"
    bad.write_text('[decision]\ncolumns = ["x"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"decision\.toml"):
        load_decision(bad)
    bad.write_text("not toml [", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_decision(bad)


def test_the_shipped_model_loads_and_fits_this_version():
    model = load_decision()
    assert model is not None and model.columns == COLUMNS
    assert 0.0 <= model.unsure_at <= model.answer_at <= 1.0
    # Each threshold is a calibrated value as written (a plateau reaches it, not one just below).
    assert model.answer_at in set(model.calib_y) and model.unsure_at in set(model.calib_y)


@pytest.fixture(scope="module")
def yearly(tmp_path_factory):
    """Three yearly reports of one issuer whose plan sentences differ only in their figure."""
    from config import load_settings
    from retrieval import Engine

    corpus = tmp_path_factory.mktemp("yearly-decision")
    reviews = ((2022, "5.5%左右"), (2023, "5%左右"), (2024, "5%左右"))
    write_yearly_reports(
        corpus,
        ((year, f"城镇新增就业{1200 + year - 2022}万人。", target) for year, target in reviews),
        other=OTHER[:4],
    )
    # Every question answered (the threshold at 0): the test is about which sentence comes first.
    settings = load_settings(
        overrides={
            "corpus": str(corpus),
            "semantic": "off",
            "min_confidence": 0.0,
            "cache_dir": str(tmp_path_factory.mktemp("cache")),
        }
    )
    return Engine.open(settings)


@pytest.mark.parametrize(
    "question", ["国内生产总值增长的预期目标是多少？", "这几年国内生产总值增长的预期目标有什么变化？"]
)
def test_the_decision_reads_the_sentence_the_answer_shows_first(yearly, question):
    """Across years the answer leads with the newest year's sentence (a trend with the oldest),
    whatever scores best; the decision row is built from that sentence."""
    composer = yearly.composer
    r = composer.rank(question)
    first = r.cands.items[composer.first_shown(r)]
    answer = yearly.answer(question)
    assert answer.answered and yearly.corpus.sentence_text(first.chunk, first.sent) == answer.sentences[0].text
    assert first.report.year == (2022 if "这几年" in question else 2024)
    gap = dict(zip(COLUMNS, composer.decision_row(r)))["score_gap"]
    best = r.cands.items[int(r.order[0])]
    assert (gap <= 0) == ((best.chunk, best.sent) != (first.chunk, first.sent))


def test_a_sentence_about_the_asked_year_holds_the_year_it_does_not_write(yearly):
    """过去一年 in 2022's review is about 2021: it covers 2021年 as a sentence writing it would; a
    sentence about another year does not."""
    r = yearly.composer.rank("2021年城镇新增就业多少万人？")
    year = r.cands.terms.dated[2021]
    by_text = {yearly.corpus.sentence_text(c.chunk, c.sent): c for c in r.cands.items}
    about = by_text["过去一年，城镇新增就业1200万人。"]
    assert about.said.period == 2021 and year in about.said.toks
    first = r.cands.items[int(r.order[0])]
    assert yearly.corpus.sentence_text(first.chunk, first.sent) == "过去一年，城镇新增就业1200万人。"
    # 2022's target, in the same report, is about 2022: it does not hold 2021.
    r = yearly.composer.rank("2021年国内生产总值增长目标是多少？")
    plan = [c for c in r.cands.items if c.said.period == 2022]
    assert plan and all(r.cands.terms.dated[2021] not in c.said.toks for c in plan)


def test_an_undated_sentence_of_a_passage_about_the_asked_year_holds_the_year(tmp_path):
    """A review paragraph names its year once (2021年国内生产总值…); the sentences after it that
    the index leaves undated are about that year too. A passage about another year (2022年要…)
    lends its undated sentences nothing."""
    from config import load_settings
    from retrieval import Engine

    corpus = tmp_path / "reports"
    corpus.mkdir()
    for y in (2022, 2024):
        (corpus / f"{y}.txt").write_text(
            f"{y}年政府工作报告\n各位代表：\n我们坚持扩大内需的方针。{y - 1}年国内生产总值增长{y - 2014}%。"
            f"外商直接投资{1800 + y}亿美元，增长{y - 2010}%。\n"
            + "\n".join(OTHER[:3])
            + f"\n{y}年要稳住外资外贸。外商直接投资保持稳定。\n"
            + "\n".join(OTHER[3:])
            + "\n",
            encoding="utf-8",
        )
    settings = load_settings(overrides={"corpus": str(corpus), "semantic": "off", "cache_dir": str(tmp_path / "c")})
    engine = Engine.open(settings)
    r = engine.composer.rank("2021年外商直接投资有多少？")
    year = r.cands.terms.dated[2021]
    by_text = {engine.corpus.sentence_text(c.chunk, c.sent): c for c in r.cands.items}
    review = by_text["外商直接投资3822亿美元，增长12%。"]
    assert review.said.period is None and year in review.said.toks
    plan = by_text["外商直接投资保持稳定。"]
    assert plan.said.period is None and year not in plan.said.toks
    answer = engine.answer("2021年外商直接投资有多少？")
    assert (answer.sentences or answer.closest)[0].text == "外商直接投资3822亿美元，增长12%。"


def test_reports_speak_of_their_year_and_the_years_next_to_it(yearly):
    facts = yearly.composer.facts
    assert facts.covers_years((2021,))  # reviewed in 2022's report
    assert facts.covers_years((2024,)) and facts.covers_years((2025,)) and facts.covers_years(())
    assert not facts.covers_years((2019,)) and not facts.covers_years((2030,))


def test_a_refusal_by_low_probability_keeps_a_vetos_label_only_when_true():
    from retrieval.answer.refusals import Reason, learned_reason

    year, place, low = Reason.YEAR_NOT_IN_CORPUS, Reason.PLACE_NOT_IN_CORPUS, Reason.LOW_CONFIDENCE
    # The year's figure is in the next year's report: the year is known, the refusal is by confidence.
    assert learned_reason(year, True, True) == low
    assert learned_reason(year, False, True) == year
    assert learned_reason(place, True, True) == low
    assert learned_reason(place, True, False) == place
    assert learned_reason(None, False, False) == low
    assert learned_reason(low, False, False) == low


def test_answer_at_is_the_lowest_threshold_whose_answers_are_precise_enough():
    from tools.thresholds import lowest_threshold

    p, y = np.array([0.9, 0.9, 0.8, 0.7]), np.array([1, 0, 1, 1])
    assert lowest_threshold(p, y, 0.6) == pytest.approx(0.7)  # 3 of 4 right from 0.7 up
    assert lowest_threshold(p, y, 0.8) == 1.01  # no threshold is that precise
    # Rows of equal probability are answered together: 0.8 would answer a wrong one too.
    assert lowest_threshold(np.array([0.9, 0.8, 0.8]), np.array([1, 1, 0]), 0.9) == pytest.approx(0.9)


def test_answer_at_with_a_margin_asks_the_precision_of_the_interval_s_lower_end():
    from tools.thresholds import lowest_threshold, wilson_lower

    assert wilson_lower(19, 20, 0.0) == pytest.approx(0.95)
    assert wilson_lower(19, 20, 1.645) == pytest.approx(0.8040, abs=1e-4)
    assert wilson_lower(950, 1000, 1.645) > wilson_lower(95, 100, 1.645)  # more rows, narrower
    # 40 rows all right, then 60 rows of which 56 are right: 96 of 100 (0.96) from the bottom up.
    p = np.concatenate([np.linspace(0.99, 0.9, 40), np.linspace(0.89, 0.5, 60)])
    y = np.array([1] * 40 + [1] * 56 + [0] * 4)
    assert lowest_threshold(p, y, 0.95) == pytest.approx(0.5)  # the plain share allows all
    strict = lowest_threshold(p, y, 0.95, z=1.645)
    assert 0.5 < strict <= 0.9 and wilson_lower(int(y[p >= strict].sum()), int((p >= strict).sum()), 1.645) >= 0.95


def test_unsure_at_is_the_highest_threshold_that_leaves_few_answerable_questions_with_nothing():
    from tools.thresholds import unsure_threshold

    p = np.array([0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.6, 0.9, 0.95, 0.001])
    answerable = np.array([True] * 10 + [False])
    assert unsure_threshold(p, answerable, 0.1, 0.8) == pytest.approx(0.02)  # one of ten below
    assert unsure_threshold(p, answerable, 0.0, 0.8) == pytest.approx(0.01)  # none below
    assert unsure_threshold(p, answerable, 0.5, 0.25) == pytest.approx(0.25)  # never above answer_at


def test_a_threshold_is_raised_onto_a_calibrated_value():
    from tools.thresholds import plateau_at_or_above

    plateaus = np.array([0.0, 0.011, 0.011, 0.047, 0.2])
    assert plateau_at_or_above(0.02, plateaus) == pytest.approx(0.047)  # the floor 0.02 lies between plateaus
    assert plateau_at_or_above(0.011, plateaus) == pytest.approx(0.011)  # already a plateau
    assert plateau_at_or_above(0.5, plateaus) == pytest.approx(0.5)  # above them all: kept


def test_unsure_at_keeps_the_floors_lower_step_and_foreign_at_the_step_above_it():
    from tools.thresholds import unsure_and_foreign

    steps = np.array([0.0, 0.0167, 0.0167, 0.0292, 0.0292, 0.0374, 0.5, 1.0])
    # The per-set rule asks for little; the floor 0.02 lies between 0.0167 and 0.0292: 0.0167, and a
    # mostly foreign question still needs the step above the floor's raised step (0.0374).
    assert unsure_and_foreign(0.001, 0.02, steps) == pytest.approx((0.0167, 0.0374))
    # The per-set rule asks for more than the floor: its step, and foreign_at the next one.
    assert unsure_and_foreign(0.03, 0.02, steps) == pytest.approx((0.0374, 0.5))
    # A floor on a step is that step.
    assert unsure_and_foreign(0.001, 0.0292, steps) == pytest.approx((0.0292, 0.0374))


def test_a_floor_is_lowered_onto_a_calibrated_value():
    from tools.thresholds import plateau_at_or_below

    plateaus = np.array([0.0, 0.011, 0.011, 0.047, 0.2])
    assert plateau_at_or_below(0.02, plateaus) == pytest.approx(0.011)  # the floor 0.02 lies between plateaus
    assert plateau_at_or_below(0.047, plateaus) == pytest.approx(0.047)  # already a plateau
    assert plateau_at_or_below(-0.1, plateaus) == pytest.approx(-0.1)  # below them all: kept


def test_unsure_at_holds_for_each_question_set_on_its_own():
    from tools.thresholds import unsure_threshold_by_set

    p = np.array([0.05, 0.06, 0.07, 0.08, 0.5, 0.01, 0.6, 0.7, 0.8, 0.9])
    answerable = np.ones(10, dtype=bool)
    sets = np.array(["a"] * 5 + ["b"] * 5)
    # One of five may fall below: set a allows 0.06, set b 0.6; the lower holds for both.
    assert unsure_threshold_by_set(p, answerable, sets, 0.2, 0.95) == pytest.approx(0.06)
    assert unsure_threshold_by_set(p, answerable, sets, 0.0, 0.95) == pytest.approx(0.01)


def test_the_operating_point_is_reported_for_each_score_pooled_and_by_set():
    from types import SimpleNamespace

    from tools.fit_decision import operating_lines

    y = np.array([1, 1, 1, 1, 0, 1, 0, 0])
    sets = np.array(["a", "a", "a", "a", "b", "b", "b", "b"])
    good = np.array([0.9, 0.8, 0.85, 0.95, 0.1, 0.7, 0.2, 0.3])
    args = SimpleNamespace(precision=0.95, margin=0.0, train=[], each_corpus=False, rule_sets="")
    lines = operating_lines({"good": good, "bad": 1 - good}, y, np.ones(8), sets, np.ones(8, bool), args)
    assert len(lines) == 2
    # The good score answers the five right rows (all of a, one of b); the bad one answers none.
    assert "all 0.625 at 1.000" in lines[0] and "a 1.000 at 1.000" in lines[0] and "b 0.250 at 1.000" in lines[0]
    assert "all 0.000" in lines[1]


def test_the_precision_rule_can_hold_for_each_corpus_on_its_own():
    from tools.thresholds import answer_threshold, corpus_of

    corpora = corpus_of(
        np.array(["s.jsonl", "s.jsonl", "s.jsonl", "g.jsonl", "g.jsonl", "g.jsonl"]),
        ["s.jsonl=seeds", "g.jsonl=x/gwr_even"],
    )
    assert list(corpora) == ["seeds"] * 3 + ["gwr_even"] * 3
    p = np.array([0.9, 0.8, 0.7, 0.95, 0.85, 0.75])
    y = np.array([1, 1, 1, 1, 0, 1])
    # Pooled, only the two rows from 0.9 up are right often enough.
    assert answer_threshold(p, y, corpora, 0.95, 0.0, each=False) == pytest.approx(0.9)
    # gwr_even alone must start above its miss at 0.85: 0.95; seeds alone from 0.7.
    assert answer_threshold(p, y, corpora, 0.95, 0.0, each=True) == pytest.approx(0.95)


def test_the_precision_rule_can_read_only_some_sets():
    """--rule-sets /blind: the threshold is set on the sets written by readers who never ran the
    product, not on the project's own sets, whose answers read right more often."""
    from types import SimpleNamespace

    from tools.fit_decision import threshold_of

    sets = np.array(["tests/data/dev.jsonl"] * 3 + ["tests/data/blind/seeds.dev.jsonl"] * 3)
    p = np.array([0.9, 0.8, 0.7, 0.95, 0.85, 0.75])
    y = np.array([1, 1, 1, 1, 0, 1])
    report = np.ones(6, dtype=bool)
    every = SimpleNamespace(precision=0.95, margin=0.0, train=[], each_corpus=False, rule_sets="")
    blind = SimpleNamespace(precision=0.95, margin=0.0, train=[], each_corpus=False, rule_sets="/blind")
    # All rows: 0.95, 0.9 right, then 0.85 wrong; from 0.9 up precision holds.
    assert threshold_of(p, y, sets, report, every) == pytest.approx(0.9)
    # The blind rows alone: above their miss at 0.85.
    assert threshold_of(p, y, sets, report, blind) == pytest.approx(0.95)


def test_a_refit_writes_foreign_at_as_the_next_step_and_keeps_the_hand_set_share(tmp_path):
    """next_step is the calibration's next step, whatever the steps of a refit; the file keeps
    foreign_at, and foreign_share, set by hand, is carried over from the file replaced."""
    import tomllib

    from tools.fit_decision import write_toml
    from tools.thresholds import next_step

    steps = np.array([0.0, 0.0236, 0.0236, 0.0292, 0.0292, 0.5, 1.0])
    assert next_step(0.0236, steps) == pytest.approx(0.0292)
    assert next_step(1.0, steps) == 1.0  # none above: the threshold itself
    out = tmp_path / "decision.toml"
    out.write_text("[decision]\nforeign_share = 0.7\n", encoding="utf-8")
    n = len(COLUMNS)
    write_toml(out, [0.0] * n, [1.0] * n, [0.0] * n, 0.0, [0.0, 1.0], steps[[0, -1]], 0.9, 0.0236, 0.0292, "note")
    table = tomllib.loads(out.read_text(encoding="utf-8"))["decision"]
    assert table["foreign_share"] == 0.7 and table["foreign_at"] == pytest.approx(0.0292)
    model = DecisionModel.from_mapping(table)
    assert model.outcome(0.0236, foreign=0.8) == "none" and model.outcome(0.0292, foreign=0.8) == "unsure"
    assert model.outcome(0.0236, foreign=0.1) == "unsure"
