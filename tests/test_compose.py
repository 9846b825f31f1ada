"""Question analysis and sentence features of the composer."""

from __future__ import annotations

import numpy as np
import pytest

from config import ConfigError
from retrieval.answer import compose, features, messages, question as question_analysis, scoring
from retrieval.answer.features import F
from retrieval.answer.question import analyse, question_types
from retrieval.dates.when import ask_time
from retrieval.lang import shapes
from retrieval.lang.shapes import answer_shapes, has_quantity
from retrieval.lang.text import default_tokenizer, normalize
from retrieval.params import ComposeParams
from tests.conftest import shown


@pytest.mark.parametrize(
    "question, expected",
    [
        ("古丈县现有各级各类学校多少所？", "number"),
        ("全县公办幼儿园在园幼儿占比是多少？", "number"),
        ("职校毕业生大专录取率达到多少？", "number"),
        ("该项目是哪一年启动的？", "time"),
        ("山村幼儿园项目何时被推介？", "time"),
        ("陈寔路学校什么时候建成？", "time"),
        ("这本书是谁写的？", "person"),
        ("哪位校长获得表彰？", "person"),
        ("培训中心设在哪里？", "place"),
        ("哪所学校被评为先进基层党组织？", "place"),
        ("职业中专更名后叫什么？", "name"),
        ("这个奖项的名称是什么？", "name"),
        ("控辍保学做了哪些工作？", "list"),
        ("这种果树分布在什么地区？", "place"),
        ("这条河流经哪些城市？", "place"),
        ("哪一个人担任了首任校长？", "person"),  # 哪一个 as well as 哪个
        ("这项技术最早由哪一个国家提出？", "place"),
        ("他毕业于哪一所大学？", "place"),
        ("这座寺庙建于哪一个朝代？", "time"),
        ("哪个人数最多？", "number"),  # 人数 is a number, not a person
    ],
)
def test_question_types(question, expected):
    types = question_types(normalize(question))
    assert types and types[0] == expected, types


def test_a_year_question_is_not_a_place_question():
    assert question_types(normalize("早田在哪一年首度到台湾？"))[0] == "time"
    assert "place" not in question_types(normalize("早田在哪一年首度到台湾？"))


def test_plain_statement_has_no_type():
    assert question_types(normalize("介绍一下教育工作")) == ()


@pytest.mark.parametrize(
    "sentence, shape",
    [
        ("古丈县现有各级各类学校88所。", "number"),
        ("普惠率94.57%。", "number"),
        ("共投入3.7344亿元。", "number"),
        ("马来穿山甲又名爪哇穿山甲。", "name"),
        ("1910年，大韩帝国灭亡。", "time"),
        ("3月24日在论坛上推介。", "time"),
        ("由张三所创办。", "person"),
        ("学校位于湖南省古丈县。", "place"),
        ("更名为“溆浦楚怡职业学校”。", "name"),
        ("包括语文、数学、英语等科目。", "list"),
    ],
)
def test_answer_shapes(sentence, shape):
    assert shape in answer_shapes(normalize(sentence))


def test_sentence_without_an_answer_shape():
    assert "number" not in answer_shapes(normalize("坚持立德树人，办好人民满意的教育。"))
    assert "time" not in answer_shapes(normalize("坚持立德树人，办好人民满意的教育。"))


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("国内生产总值达到114万亿元，增长8.1%。", True),
        ("粮食产量达到百分之十以上。", True),
        ("通常出血量不超过500毫升。", True),  # any written figure counts, in whatever unit
        ("最终以2比1淘汰英格兰。", True),
        ("2015年是“十二五”收官之年。", False),  # a calendar year is not a figure
        ("二〇二四年是关键之年。", False),
        ("［8］2025年社会消费品零售总额增速按可比口径计算。", False),  # a note's mark is no figure
        ("［8］全年社会消费品零售总额5320.9亿元。", True),
        ("1注：此数据不包含深汕特别合作区常住人口数据。", False),  # a table note's number
        ("注：2020年常住人口1756万人。", True),
    ],
)
def test_has_quantity(sentence, expected):
    assert has_quantity(normalize(sentence)) is expected


def test_one_enumerated_item_is_not_a_list():
    """一是… opens one item; only a sentence that goes on to 二是 enumerates."""
    assert "list" not in answer_shapes(normalize("一是全力做好控辍保学工作。"))
    assert "list" in answer_shapes(normalize("一是加强师资培训，二是改善办学条件。"))


def test_question_words_are_not_search_terms():
    q = analyse("这所学校是由哪一人创办的？", default_tokenizer())
    assert "哪" not in q.tokens and "一人" not in q.tokens
    assert "创办" in q.tokens
    # 几 inside a word stays: 几何 is a term, not a question word.
    assert "几何" in analyse("几何学是什么？", default_tokenizer()).tokens
    # "Every place" and light verbs are not what a report words the answer with.
    tokens = analyse("各地在控辍保学方面做了哪些工作？", default_tokenizer()).tokens
    assert "控辍保学" in tokens and "各地" not in tokens and "做" not in tokens
    assert "时候" not in analyse("学校什么时候开学？", default_tokenizer()).tokens


def test_definition_subject_and_named_years():
    q = analyse("什么是棱柱？", default_tokenizer())
    assert q.subject == "棱柱"
    q = analyse("古丈县２０２４年新发展党员多少人？", default_tokenizer())
    assert ask_time(q.norm, None).years == (2024,) and q.types[0] == "number"


def test_every_place_questions():
    assert analyse("各地在控辍保学方面做了哪些工作？", default_tokenizer()).every_place
    assert not analyse("古丈县有多少所学校？", default_tokenizer()).every_place
    # The every-place words that are not search terms also mark such a question.
    q = analyse("各乡镇新建了多少所幼儿园？", default_tokenizer())
    assert q.every_place and "各" not in q.tokens


# --- features on the seed corpus -----------------------------------------------------------------


def _row(engine, question: str, needle: str) -> np.ndarray:
    cands = engine.composer.candidates(question)
    assert cands is not None
    for i, (c, s) in enumerate(zip(cands.chunk, cands.sent)):
        if needle in engine.corpus.sentence_text(c, s):
            return cands.features[i]
    raise AssertionError(f"no candidate sentence holds {needle!r}")


def test_answer_sentence_carries_the_asked_type(engine):
    row = _row(engine, "古丈县现有各级各类学校多少所？", "88所")
    assert row[F["type_number"]] == 1.0 and row[F["type_miss"]] == 0.0
    assert row[F["tok_cov"]] > 0.5 and row[F["big_cov"]] > 0.5


def test_features_are_bounded(engine):
    cands = engine.composer.candidates("溆浦县一年来共补充教师多少人？")
    X = cands.features
    for name in ("tok_cov", "big_cov", "ctx_cov", "bm25_rel", "restate", "novel", "sent_bm25"):
        assert X[:, F[name]].min() >= 0.0 and X[:, F[name]].max() <= 1.0 + 1e-9, name
    assert (cands.confidence >= 0).all() and (cands.confidence <= 1 + 1e-9).all()


def test_restating_sentence_is_marked(engine):
    """A sentence made of the question's own words scores high on restate, low on novel."""
    row = _row(engine, "一是全力做好控辍保学工作", "一是全力做好控辍保学工作")
    assert row[F["restate"]] > 0.5 and row[F["novel"]] < 0.2


def test_long_sentences_are_not_favoured(engine):
    found = 0
    wide = compose.Composer(engine.corpus, engine.tokenizer, retrieve_k=30)  # enough long sentences
    for question in ("古丈县组织实施项目多少个？", "怀化市出台了哪些政策法规？", "溆浦县2021年共投入多少资金？"):
        cands = wide.candidates(question)
        for i, (c, s) in enumerate(zip(cands.chunk, cands.sent)):
            length = len(normalize(engine.corpus.sentence_text(c, s)))
            assert (cands.features[i, F["long"]] > 0) == (length > features.LONG_SENTENCE)
            found += length > features.LONG_SENTENCE
    assert found
    assert scoring.default_model().as_mapping()["long"] <= 0


def test_year_missing_from_the_report_lowers_confidence(engine):
    with_year = engine.composer.candidates("古丈县2026年高考本科上线率是多少？")
    without = engine.composer.candidates("古丈县高考本科上线率是多少？")
    assert with_year.confidence.max() < without.confidence.max()
    assert with_year.features[:, F["year_miss"]].max() == 1.0


def test_a_year_no_passage_mentions_is_refused(engine):
    assert engine.answer("古丈县现有各级各类学校多少所？").answered
    answer = engine.answer("古丈县2030年现有各级各类学校多少所？")
    assert not answer.answered and answer.message


def test_named_place_chooses_the_report(engine):
    for question, place in (("古丈县幼儿园普惠率是多少？", "古丈"), ("XX县公办在园幼儿数占比达到多少？", "XX县")):
        answer = engine.answer(question)
        assert shown(answer) and all(place in s.citation.path for s in shown(answer)), question


def test_multi_report_question_cites_different_reports(engine):
    answer = engine.answer("各县市高考本科上线情况怎么样？")
    assert len({s.citation.path for s in shown(answer)}) >= 2


@pytest.mark.parametrize("question", ["比特币现在多少钱一个？", "比特币今天的价格是多少？", "怎么做红烧肉？"])
def test_refusal_explains_what_to_do(engine, question):
    """Off the reports' topic, or mostly in words they do not use: nothing shown, not 可能相关."""
    answer = engine.answer(question)
    assert not answer.answered and not answer.sentences and answer.outcome == "none"
    assert "报告" in answer.message and ("换" in answer.message or "来源" in answer.message)


# --- weights ------------------------------------------------------------------------------------


def test_weights_file_round_trip(tmp_path):
    model = scoring.default_model()
    assert set(model.as_mapping()) == set(features.FEATURES)
    path = tmp_path / "w.toml"
    path.write_text("[weights]\ntok_cov = 1.5\n[compose]\ndiversity = 0.25\n", encoding="utf-8")
    loaded = scoring.load_model(path)
    assert loaded.as_mapping()["tok_cov"] == 1.5 and loaded.as_mapping()["big_cov"] == 0.0
    assert loaded.diversity == 0.25


@pytest.mark.parametrize("body", ["[weights]\nnot_a_feature = 1\n", "[weights\n", "[weights]\ntok_cov = 'x'\n"])
def test_bad_weights_file_is_a_config_error(tmp_path, body):
    path = tmp_path / "w.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        scoring.load_model(path)
    assert str(path) in str(info.value)


# --- question focus and asked unit --------------------------------------------------------------


@pytest.mark.parametrize(
    "question, focus",
    [
        ("这次会议的焦点是什么？", "焦点"),
        ("他是哪个大学毕业的？", "大学"),
        ("油菜在什么季节开花？", "季节"),
        ("长葛市中小学生的近视率是多少？", "近视率"),
        ("这位诗人的字是什么？", "字"),
        ("1990年，这位校长做了什么事情？", ""),
        ("在学校里工作的老师和职工加起来有多少？", ""),
    ],
)
def test_question_focus(question, focus):
    assert question_analysis.question_focus(normalize(question), default_tokenizer()) == focus


@pytest.mark.parametrize(
    "question, sentence, matches",
    [
        ("溆浦县2021年共投入多少资金改善办学条件？", "2021年，共投入3.7亿元，新建学校", True),
        ("溆浦县2021年共投入多少资金改善办学条件？", "新增义务教育学位2500个", False),
        ("古丈县现有各级各类学校多少所？", "全县现有学校12所", True),
        ("古丈县现有各级各类学校多少所？", "全县共有学生5000人", False),
        ("全县有多少名教师？", "全县共有教师300人", True),
        ("幼儿园普惠率是多少？", "普惠率达到90.5%", True),
        ("幼儿园普惠率是多少？", "新建幼儿园3所", False),
        ("县第一中学于何年创办？", "1952年9月1日，县第一中学创办", True),
        ("县第一中学于何年创办？", "9月1日县第一中学创办", False),
        ("学校哪个月开学？", "9月1日开学", True),
        ("学校哪个月开学？", "2021年开学", False),
        ("这座书院建于西元几年？", "书院建于1820年", True),  # 西元 asks for a year, not money
        ("这座书院建于西元几年？", "耗资300万元", False),
        ("改革元年共启动多少个项目？", "启动项目12个", True),  # 元年 is not money
        ("改革元年共启动多少个项目？", "投入12万元", False),
        ("多元化办学的学校有多少所？", "共有学校12所", True),  # nor is 多元化
        ("大桥花了多少美元？", "耗资300万美元", True),
        ("这座塔有多高？", "塔高约40米", True),  # 多高 asks for a length
        ("这座塔有多高？", "全县有学校40所", False),
        ("这座塔有多高？", "建成5g基站40个", False),  # a one-letter unit inside a word
        ("工程持续了多久？", "历时3年", True),
        ("合约为期多少年？", "合约为期7年", True),
        ("合约为期多少年？", "1935年签订合约", False),  # a calendar year is not a number of years
        ("今年多了多少张床位？", "增加床位1000个", True),  # 个 stands in for a counting word
        ("今年多了多少张床位？", "增加床位1000平方米", False),
        ("长了多少米？", "长100个", False),  # but not for a measure
    ],
)
def test_value_of_the_asked_kind(question, sentence, matches):
    unit = question_analysis.asked_unit(normalize(question))
    assert unit is not None
    assert bool(unit.search(normalize(sentence))) is matches


def test_questions_without_a_number_ask_no_unit():
    assert question_analysis.asked_unit(normalize("哪所学校被评为先进基层党组织？")) is None
    assert question_analysis.asked_unit(normalize("这项改革有多重要？")) is None  # 多重要 is not 多重


def test_unit_feature_marks_the_answer(engine):
    row = _row(engine, "古丈县现有各级各类学校多少所？", "88所")
    assert row[F["unit_match"]] == 1.0


def test_plan_sentences_answer_plan_questions_not_result_questions(engine):
    """A sentence under a report's 工作计划 heading answers "what is planned", not "what was done"."""
    plan = _row(engine, "怀化市明年计划消除多少个义务教育大班额？", "655个")
    result = _row(engine, "怀化市全年共消除义务教育大班额多少个？", "655个")
    done = _row(engine, "怀化市全年共消除义务教育大班额多少个？", "1463个")
    assert plan[F["plan"]] == 1.0 and result[F["plan"]] == -1.0 and done[F["plan"]] == 0.0
    assert scoring.default_model().as_mapping()["plan"] > 0


def test_a_sentence_that_only_repeats_its_heading_label_is_marked(engine):
    """一是全力做好控辍保学工作。 is the label the citation already shows; the sentences after it
    say what was done."""
    label = _row(engine, "古丈县在控辍保学方面做了哪些工作？", "一是全力做好控辍保学工作")
    content = _row(engine, "古丈县在控辍保学方面做了哪些工作？", "控辍保学工作方案")
    assert label[F["label"]] == 1.0 and content[F["label"]] == 0.0
    assert scoring.default_model().as_mapping()["label"] < 0


def test_label_sentence_does_not_answer_first(engine):
    answer = engine.answer("古丈县在控辍保学方面做了哪些工作？")
    assert "一是全力做好控辍保学工作" not in shown(answer)[0].text


@pytest.mark.parametrize(
    "sentence, near",
    [
        ("其中：特岗招聘142人、面向社会公开招聘261人、外县调入12人。", 1.0),
        ("通过特岗计划、面向社会公开招聘等渠道共补充教师682人。", 0.0),  # the number is about all channels
        ("共有261名面向社会公开招聘的教师。", 0.4),  # close to 社会, too far from 公开招聘
    ],
)
def test_value_next_to_a_question_term(sentence, near):
    unit = question_analysis.asked_unit(normalize("面向社会公开招聘了多少人？"))
    assert shapes.value_near_term(normalize(sentence), unit, [("公开招聘", 1.0), ("社会", 0.4)]) == near


def test_window_coverage_counts_the_previous_sentence(engine):
    """A sentence that answers right after the one naming the topic covers the question with it."""
    cands = engine.composer.candidates("溆浦县面向社会公开招聘了多少人？")
    X = cands.features
    assert (X[:, F["win_cov"]] >= X[:, F["tok_cov"]] - 1e-12).all()
    assert (X[:, F["win_cov"]] > X[:, F["tok_cov"]] + 1e-6).any()
    row = _row(engine, "溆浦县面向社会公开招聘了多少人？", "261人")
    assert row[F["value_near"]] > 0.5 and row[F["unit_match"]] == 1.0


def test_category_head_marks_a_word_of_the_asked_kind():
    tok = default_tokenizer()
    q = analyse("这位校长毕业于哪所大学？", tok)
    assert q.category == "大学" and q.focus == "大学"
    assert analyse("会议的焦点是什么？", tok).category == ""  # 焦点 comes before the question word


def test_category_head_feature(engine):
    cands = engine.composer.candidates("古丈县哪所学校获评全国文明校园？")
    texts = [normalize(engine.corpus.sentence_text(c, s)) for c, s in zip(cands.chunk, cands.sent)]
    for text, flag in zip(texts, cands.features[:, F["category_head"]]):
        assert bool(flag) == ("校" in text.replace("学校", "")), text
    assert 0 < cands.features[:, F["category_head"]].sum() < len(texts)


def test_a_value_of_the_asked_kind_raises_confidence(engine):
    """A sentence holding a number in the asked unit is more confident; one without is less."""
    cands = engine.composer.candidates("古丈县现有各级各类学校多少所？")
    X, conf = cands.features, cands.confidence
    with_value = X[:, F["unit_match"]] == 1.0
    assert with_value.any() and (~with_value).any()
    base = 0.5 * X[:, F["tok_cov"]] + 0.5 * X[:, F["big_cov"]]
    expected = np.where(
        with_value,
        np.minimum(1.0, base * engine.composer.policy.value_evidence),
        base * engine.composer.policy.value_missing,
    )
    assert np.allclose(conf, expected)


def test_a_rate_no_sentence_gives_is_refused(engine):
    """Asked for a rate, the reports' sentences about the subject hold no percentage: refused; a
    rate they give is shown first, and held likelier to answer."""
    myopia = engine.answer("古丈县中小学生的近视率是多少？")
    rate = engine.answer("古丈县幼儿园普惠率是多少？")
    assert not myopia.answered
    assert "%" in shown(rate)[0].text and rate.confidence > myopia.confidence


# --- the words around the question word, the paragraph's subject, segmentation ---------------------


def test_question_anchors():
    tok = default_tokenizer()
    assert analyse("这次会议的焦点是什么？", tok).anchors == (("焦点", True),)
    assert analyse("谁创作了这首校歌？", tok).anchors == (("创作", False),)
    assert analyse("学校以什么闻名？", tok).anchors == (("闻名", False),)
    assert analyse("古丈县明天天气怎么样？", tok).anchors == (("天气", True),)
    assert analyse("共有多少？", tok).anchors == ()  # no content word next to the question word


@pytest.mark.parametrize(
    "sentence, filled",
    [
        ("会议的焦点是课后服务收费。", 1.0),  # new words right after 焦点
        ("会议的焦点是什么无人知晓。", 0.0),  # only the question's own words follow
        ("本次会议十分顺利。", 0.0),  # no anchor at all
    ],
)
def test_slot_filled(sentence, filled):
    question = normalize("这次会议的焦点是什么？")
    anchors = (("焦点", True),)
    assert shapes.slot_filled(normalize(sentence), anchors, frozenset(question)) == filled


_OTHER_PARAGRAPHS = [
    "县城另有一所职业学校，开设机电和护理专业。",
    "全县共有幼儿园三十所，其中公办园十二所。",
    "今年新建农村公路八十公里，改造危桥五座。",
    "县图书馆全年接待读者十万人次。",
]


def _paragraph_engine(settings, tmp_path, paragraphs):
    """An engine over a small corpus: each paragraph one document, plus a few unrelated ones."""
    from bot.evaluate import open_engine_for

    return open_engine_for(settings, paragraphs + _OTHER_PARAGRAPHS, tmp_path)


def test_the_subject_comes_from_the_paragraphs_opening_sentence(settings, tmp_path):
    """The opening sentence names the school; what is asked about it (闻名) is what picks the
    answer, even in the second chunk of a long paragraph, whose own first sentence names the
    school again."""
    opening = "青溪中学是本县一所历史悠久的完全中学，位于县城东郊。"
    filler = "".join(f"今年第{i}批新建的{i}间功能教室已经全部投入使用，学生课余活动更加丰富。" for i in range(1, 11))
    known_for = "青溪中学的学生以航模和合唱闻名全省，多次获得省级和国家级奖项，在县内外都很有名。"
    engine = _paragraph_engine(settings, tmp_path, [opening + filler + known_for])
    cands = engine.composer.candidates("青溪中学以什么闻名？")
    rows = {engine.corpus.sentence_text(c, s): (c, s, x) for c, s, x in zip(cands.chunk, cands.sent, cands.features)}
    c_open, _, x_open = rows[opening]
    c_known, s_known, x_known = rows[known_for]
    # The premise: the paragraph was split and the answer sentence opens the second chunk.
    assert c_known != c_open and engine.corpus.sentence_range(c_known).start == s_known
    assert x_open[F["rel_cov"]] == 0.0 and x_known[F["rel_cov"]] == 1.0


def test_a_term_segmented_differently_in_the_report_still_counts(settings, tmp_path):
    """A name cut one way in the question and another way in the report still matches."""
    tok = default_tokenizer()
    question, sentence = "马萨利加什么时候宣告独立？", "1958年3月5日马萨利加宣告独立，成为共和国。"
    asked = [t for t in analyse(question, tok).tokens if t not in tok.tokens(sentence)]
    assert asked, "jieba now cuts the name the same way in both; pick another example"
    engine = _paragraph_engine(settings, tmp_path, [sentence + "该国此后与邻国合并。"])
    row = _row(engine, question, "宣告独立")
    assert row[F["tok_cov"]] == pytest.approx(1.0)


def test_info_counts_the_rare_words_a_sentence_adds(settings, tmp_path):
    engine = _paragraph_engine(
        settings,
        tmp_path,
        [
            "青溪中学闻名全县。青溪中学以航模和合唱闻名，多次获得省级奖项。",
        ],
    )
    bare = _row(engine, "青溪中学以什么闻名？", "闻名全县")
    rich = _row(engine, "青溪中学以什么闻名？", "航模")
    assert 0.0 < bare[F["info"]] < rich[F["info"]]
    assert scoring.default_model().as_mapping()["info"] > 0


def test_chunk_bigram_coverage_counts_the_whole_chunk(settings, tmp_path):
    """The question's words spread over two sentences of one paragraph: the paragraph covers
    more than either sentence, and more than a paragraph holding only the school's name."""
    spread = "县里开展了送教上门活动。活动由青溪中学的教师承担。"
    engine = _paragraph_engine(settings, tmp_path, [spread, "青溪中学新建了一座操场。"])
    cands = engine.composer.candidates("青溪中学的教师开展了什么活动？")
    X = cands.features
    texts = [engine.corpus.sentence_text(c, s) for c, s in zip(cands.chunk, cands.sent)]
    in_spread = [i for i, t in enumerate(texts) if t in spread]
    other = texts.index("青溪中学新建了一座操场。")
    assert len(in_spread) == 2
    assert all(X[i, F["ctx_big"]] > X[i, F["big_cov"]] + 0.05 for i in in_spread)
    assert X[in_spread[0], F["ctx_big"]] > X[other, F["ctx_big"]]


def test_coverage_note_names_places_and_years():
    from retrieval.index.corpus import DocMeta

    def meta(place: str, *years: int) -> DocMeta:
        return DocMeta(place, place + ".txt", place, (place,), years, "", "")

    assert messages.coverage_note([]) == ""
    assert (
        messages.coverage_note([meta("古丈县", 2024, 2025), meta("长葛市", 2023)])
        == "现有2份报告，涉及古丈县、长葛市（2023—2025年）。"
    )
    many = [meta(f"第{i}县", 2020) for i in range(9)]
    assert messages.coverage_note(many) == "现有9份报告，涉及第0县、第1县、第2县、第3县、第4县、第5县等9地（2020年）。"
    assert messages.coverage_note([DocMeta("a", "a.txt", "a", (), (), "", "")]) == "现有1份报告。"


def test_a_change_of_money_asks_for_a_share_or_an_amount():
    """收入增长多少 asks for the growth: 4.2% as often as an amount of money."""
    unit = question_analysis.asked_unit(normalize("2001年农民人均纯收入实际增长多少？"))
    assert unit is not None
    assert unit.search(normalize("农民人均纯收入实际增长４．２％")) and unit.search("比上年增加1200元")
    assert unit.search("出口2662亿美元")
    money = question_analysis.asked_unit(normalize("农民人均纯收入是多少？"))
    assert money is not None and not money.search("实际增长4.2%") and money.search("达到2366元")
    more = question_analysis.asked_unit(normalize("辽宁去年来旅游的人多了多少？"))  # 多了多少 asks for a change
    assert more is not None and more.search("接待游客人次增长28.1%")


def test_a_change_question_asks_for_a_share_or_an_amount():
    unit = question_analysis.asked_unit(normalize("国内生产总值实际增长了多少？"))
    assert unit is not None
    assert unit.search(normalize("比上年增长７．３％")) and unit.search("比上年增长百分之十三点四")
    assert not unit.search("国内生产总值增长率达到预期目标")


def test_a_question_naming_a_year_or_a_trend_retrieves_more_chunks():
    """In a multi-year corpus every passage of the reports near the asked year writes it."""
    p = ComposeParams()
    assert p.retrieve_factor(trend=True, dated=True) == int(p.trend_k)
    assert p.retrieve_factor(trend=False, dated=True) == int(p.year_k) > 1
    assert p.retrieve_factor(trend=False, dated=False) == 1
