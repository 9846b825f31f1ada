"""From a question to an answer: retrieve chunks, score their sentences, pick the best.

Every candidate sentence gets a small vector of features that each look at the question
differently (see :data:`FEATURES`): idf-weighted term coverage (a synonym from the thesaurus
counts for half a term; a term cut differently by jieba counts when its text is there),
character-bigram coverage weighted by rarity among the candidates (robust to segmentation),
coverage of the sentence's neighbours and paragraph, coverage of what the question asks beyond
the paragraph's subject (named in its opening sentence), whether the sentence carries the kind of answer the question asks for (a
number in the asked unit, a date, a name, a place, a list), the question's focus word (焦点 in
焦点是什么) and new words next to the words around the question word, the chunk's BM25
standing, a preference for the report a question names by place or year, and marks against
sentences that only restate the question or are very long. The score is the dot product with
weights read from ``config/weights.toml`` (fitted by ``tools/fit_weights.py``). Whether to
answer at all is decided by a separate confidence: how much of the question the best sentences
cover, checked against ``settings.min_confidence``.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from config import CONFIG_DIR, ConfigError

from .corpus import CorpusIndex, DocMeta
from .synonyms import Thesaurus, default_thesaurus
from .text import Tokenizer, char_bigrams, normalize
from .types import SECTION_SEP, Answer, Sentence

WEIGHTS_FILE = CONFIG_DIR / "weights.toml"

# Expected answer types, detected in the normalised question.
# In order of precedence: the first type found is the one a sentence must carry.
QUESTION_TYPES: dict[str, re.Pattern[str]] = {
    "time": re.compile(r"哪一年|哪年|何时|什么时候|什么时间|哪一?个月|几月|何年|日期|哪天|哪一天|年份|哪一?个?朝代|"
                       r"什么朝代|哪一?个?世纪|几号|哪一?个?时期|什么时期|多少年"),
    "person": re.compile(r"谁|哪位|何人|姓名|哪一?个人(?![数口次])|哪一人|什么人|哪一位|哪些人(?![数口次])"),
    "place": re.compile(r"哪里|哪儿|在哪(?![一个]?[年月天日时])|何地|何处|什么地方|哪一?个?[县市区乡镇省国州城地](?![长级委])|"
                        r"哪些[县市区乡镇国地]|哪一?[所个家]?(?:学校|大学|中学|小学|学院)|哪些学校|哪座|哪一座|哪一?个?国家|"
                        r"什么(?:地区|国家|城市|省份?|位置|地点|区域)|"
                        r"哪[个些一]?(?:地区|城市|省份|位置|地点|区域)|位于何"),
    "number": re.compile(r"多少|几[个所名人项次万亿千百十倍家座间条户台套批期成岁年天种位部本场届]|几成|比例|比率|比重|"
                         r"百分之|占比|多大|多高|多长|多远|多重|多久|多深|多宽|多厚|数量|人数|金额|规模|率是|率为|率达|"
                         r"[^效频]率[？?]?$|增长了|提高了|下降了|增加了|减少了"),
    "name": re.compile(r"叫什么|叫做什么|什么名|名称|名字|称为|称号|荣誉|别称|别名|简称|又称|又名|俗称|全称|什么奖|哪个奖|"
                       r"什么项目|什么活动|什么工程|什么计划|哪部|哪本|什么书|什么作品|哪个公司|哪家"),
    "list": re.compile(r"哪些|包括|包含|有哪|分别|几类|几种|哪几"),
}
_CN_DIGITS = "零〇一二三四五六七八九十百千万亿两"
# Features of a sentence that carry an answer of each type (matched on the normalised text).
ANSWER_SHAPES: dict[str, re.Pattern[str]] = {
    "number": re.compile(
        # Each alternative starts only at the beginning of a digit run (linear on long runs).
        rf"(?<![\d.])\d+(?:\.\d+)?\s*(?:%|‰)|百分之|(?<![\d{_CN_DIGITS}.])[\d{_CN_DIGITS}]+(?:\.\d+)?\s*(?:多|余)?\s*"
        r"(?:万元|亿元|千元|元|万人|人次|人|名|所|个|项|次|间|平方米|平方公里|平米|㎡|m2|亩|台|套|班|万|亿|千|百|"
        r"天|小时|公里|千米|米|厘米|毫米|吨|公斤|千克|克|册|户|家|支|批|场|期|位|门|节|倍|分|条|座|届|件|篇|类|"
        r"种|校|园|块|辆|张|岁|年|枚|只|部|本|首|集|层|周|秒|分钟|度|成|美元|英里|英尺|马力|公顷|"
        r"km²|km2|km|cm|mm|kg|m²|m2|mg|ml|m|g|t)"),
    "time": re.compile(rf"\d{{2,4}}\s*年|[\d{_CN_DIGITS}]{{1,3}}\s*月|\d{{1,2}}\s*日|[{_CN_DIGITS}]{{4}}年|世纪|年代|"
                       r"年初|年底|上半年|下半年|春季|秋季|当年|同年|次年|翌年|公元|年间"),
    "person": re.compile(r"同志|局长|校长|书记|主任|县长|市长|先生|女士|总统|国王|皇帝|教授|博士|导演|演员|作家|"
                         r"创始人|创办人|主席|首相|总理|[\u4e00-\u9fff]{1,2}[·・][\u4e00-\u9fff]|由[\u4e00-\u9fff]{2,4}(?:所|于|在|创|设|发|提|担)"),
    "place": re.compile(r"[\u4e00-\u9fff](?:省|市|县|区|乡|镇|村|州|国|岛|山|河|湖|江|海|城|港|街|路|洲|半岛)|"
                        r"学校|小学|中学|幼儿园|学院|大学|位于|座落|坐落|地处|境内"),
    "name": re.compile(r"[“\"《「『][^”\"》」』]{1,30}[”\"》」』]|称为|称作|叫做|简称|又称|别称|别名|全称|名为|号称|"
                       r"又名|原名|本名|俗名|俗称|学名|也称|亦称|或称|旧称|古称|通称|雅称|昵称|外号|绰号|"
                       r"称号|荣誉|奖|工程|计划|项目|活动"),
    "list": re.compile(r"、.*、|一是.*二是|包括|分别|以及|和.*等"),
}
TYPE_NAMES = tuple(QUESTION_TYPES)

# Question words, removed from the question before it is matched (they never occur in the answer).
_QUESTION_WORDS = re.compile(
    r"请问|是多少|有多少|多少|什么时候|什么地方|哪些?地方|哪个地方|什么样的?|是什么|什么|哪一?[年种人个位天座部本家所条项次类国城场些里儿]?|如何|怎么样|怎样|怎么|"
    r"为什么|为何|何时|何地|何处|何人|是否|有没有|吗|呢|吧|谁|几(?!何|乎)[个所名人项次种类年月天岁成]?|"
    r"[?？!！。，,、\s]")
_QUESTION_TOKENS = frozenset(
    "谁 哪 何 哪儿 哪位 何时 何地 何处 何人 何种 何年 为何 多久 多长 多大 多高 多远 多重 哪一 哪一年 哪些 "
    "哪个 哪里 哪种 哪家 哪所 哪座 哪部 哪国 什么 什么样 多少 几 几个 怎样 怎么 如何 是否 为什么".split())
_WORDS_ONLY = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
# A place the question names: two or three characters and an administrative suffix.
_PLACE_NAME = re.compile(r"([\u4e00-\u9fff]{2,3}?(?:省|市|县|区|州))")
_NOT_A_PLACE = re.compile(r"^[各全本我该此每省市县区州城]|^.?[级属]")
# What a synonym of a question term counts for, against the term itself.
SYNONYM_WEIGHT = 0.5
# Factor applied to the confidence of a sentence that holds a value of the kind the question asks
# for (多少钱 and 2.5亿元): colloquial questions share few words with the report, but an answer of
# the right kind is evidence that the sentence answers. Set with min_confidence on the dev set.
VALUE_EVIDENCE = 1.4
# ... and of one that holds none when the question asks for one (a rate, a sum, a year): a report
# that never gives 近视率 as a percentage does not answer "近视率是多少". Set on the dev set too.
VALUE_MISSING = 0.4
# Factor applied to the confidence when the question names a place the passage lacks.
MISSING_FACTOR = 0.3
# ... and when it names a year that neither the paragraph nor its report mentions: a passage about
# other years cannot answer for that year, so such a sentence never carries an answer.
YEAR_MISSING_FACTOR = 0.0

# A report's plan part (二、2020年工作计划, 下一步工作打算) as opposed to its review of the year,
# and questions that ask about plans rather than results.
_PLAN_SECTION = re.compile(r"计划|打算|谋划|思路|安排|要点|展望|下一步")
_ASKS_PLAN = re.compile(r"计划|打算|谋划|将要|将会|准备|明年|下一步|今后|目标|思路|安排|要点|预计|(?<!即)将(?!近)")

# "什么是X" / "X是什么" / "X指的是什么": the answer is the sentence that defines X.
_DEFINITION = re.compile(r"^(?:什么是|何谓)(?P<a>.+?)[?？]?$|^(?P<b>.+?)(?:是什么|是指什么|指的是什么|是啥|是什么意思)[?？]?$")
_DEFINES = re.compile(r"^.{0,3}(?:[（(][^）)]{0,60}[）)])?[，,]?(?:是|指|为|即|又称|或称|亦称|简称|全称)")
# Words for every place (各地, 各县市), which no report uses for the answer: they are not search
# terms (各地 is not matched; 各市场 still is), and a question using them asks about every place.
_EVERY_PLACE_WORDS = frozenset("各地 各县 各市 各区 各校 各个 各县市 各县区 各区县 各市县 各省 各乡镇 各乡 各镇 "
                               "各地区 各学校 各".split())
_EVERY_PLACE = re.compile("|".join(sorted((w for w in _EVERY_PLACE_WORDS if len(w) > 1), key=len, reverse=True))
                          + "|哪些地方|哪些县|哪些市")

FEATURES: tuple[str, ...] = (
    "tok_cov",      # idf-weighted share of question terms found in the sentence
    "best_in_chunk",  # the sentence covers the question best within its chunk
    "first_sent",   # the sentence opens its paragraph
    "rank_recip",   # 1 / (1 + BM25 rank of the chunk)
    "big_cov",      # rarity-weighted share of question character bigrams in the sentence
    "ctx_cov",      # idf-weighted share of question terms found anywhere in the chunk
    "prev_cov",     # tok_cov of the previous sentence of the chunk (answers follow their topic)
    "next_cov",     # tok_cov of the next sentence
    "bm25_rel",     # chunk BM25 score relative to the best chunk
    "restate",      # the sentence says little beyond the question's own words
    "novel",        # share of the sentence's bigrams that are not the question's
    "log_len",      # log of the sentence length
    "long",         # how far beyond LONG_SENTENCE characters
    "year_match",   # a year the question names appears in the sentence
    "year_miss",    # a year the question names appears nowhere in the paragraph or report
    "type_miss",    # the question asks for an answer type the sentence does not carry
    "type_nb",      # the sentence carries the asked-for type and its neighbours match the question
    "defines",      # a definition question, and the sentence opens by defining its subject
    "sent_bm25",    # BM25 of the sentence itself (relative to the best candidate)
    "key_near",     # the question's rarest term is in the sentence or earlier in its chunk
    "focus_sent",   # the question's focus word (焦点 in "焦点是什么", 大学 in "哪个大学") is in the sentence
    "unit_match",   # the sentence has a value of the asked kind (多少钱 → 元, 哪一年 → 1912年)
    "win_cov",      # tok_cov of the sentence together with its previous or next sentence (the better)
    "category_head",  # the last character of the asked kind (大学, 宗教) ends another word here (香港大学, 伊斯兰教)
    "value_near",   # a value of the asked kind right next to a question term (师范生30人), by the term's idf
    "plan",         # +1 a plan-section sentence for a question about plans, -1 for one about results
    "slot",         # the words around the question word (焦点 in 焦点是什么) recur here with new words in the gap
    "ctx_big",      # big_cov of the whole chunk (chunk-level evidence that survives segmentation)
    "info",         # rarity (idf) of the sentence's words the question lacks: what it adds (log scale)
    "rel_cov",      # tok_cov of the question terms the paragraph's opening sentence lacks (what is asked
                    # about the paragraph's subject, such as 闻名 in X以什么闻名)
    "label",        # the sentence is nothing but its paragraph's heading label (一是做好控辍保学工作。)
    *(f"type_{t}" for t in TYPE_NAMES),  # the sentence carries the asked-for type t
)
F = {name: i for i, name in enumerate(FEATURES)}
LONG_SENTENCE = 160  # characters

# Fallback when config/weights.toml is absent: a hand-set, reasonable ranking.
DEFAULT_WEIGHTS: dict[str, float] = {
    "tok_cov": 3.0, "big_cov": 2.5, "ctx_cov": 0.5, "bm25_rel": 1.0,
    "restate": -2.0, "long": -1.0, "year_match": 0.5, "year_miss": -1.0,
    "type_miss": -0.8, **{f"type_{t}": 1.0 for t in TYPE_NAMES},
}
DEFAULT_DIVERSITY = 0.5  # score toll per sentence already picked from the same report


@dataclass(frozen=True)
class ScoringModel:
    """Feature weights (in :data:`FEATURES` order), the same-report toll and the confidence mix."""

    weights: np.ndarray
    diversity: float = DEFAULT_DIVERSITY

    @classmethod
    def from_mapping(cls, weights: dict[str, float], diversity: float = DEFAULT_DIVERSITY) -> "ScoringModel":
        unknown = set(weights) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown feature weights: {', '.join(sorted(unknown))}")
        return cls(np.array([float(weights.get(f, 0.0)) for f in FEATURES]), float(diversity))

    def as_mapping(self) -> dict[str, float]:
        return {f: float(w) for f, w in zip(FEATURES, self.weights)}


def load_model(path: Path = WEIGHTS_FILE) -> ScoringModel:
    """Weights from a TOML file (``[weights]`` feature = number, ``[compose]`` diversity)."""
    if not path.exists():
        return ScoringModel.from_mapping(DEFAULT_WEIGHTS)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        return ScoringModel.from_mapping(data.get("weights", {}),
                                         data.get("compose", {}).get("diversity", DEFAULT_DIVERSITY))
    except (OSError, tomllib.TOMLDecodeError, ValueError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{path}: not a usable weights file ({exc})") from None


@lru_cache(maxsize=1)
def default_model() -> ScoringModel:
    return load_model()


@dataclass(frozen=True)
class Question:
    text: str
    norm: str
    tokens: tuple[str, ...]
    types: tuple[str, ...]
    bigrams: frozenset[str]
    years: tuple[int, ...]
    every_place: bool
    subject: str = ""  # what a definition question asks about ("" otherwise)
    places: tuple[str, ...] = ()  # place names the question mentions
    focus: str = ""  # the word naming what is asked for ("" if none is found)
    unit: re.Pattern[str] | None = None  # what the asked value looks like (a number in its unit, a year)
    category: str = ""  # the noun after the question word (大学 in 哪个大学), "" if none
    anchors: tuple[tuple[str, bool], ...] = ()  # words next to the question word; True: it follows them


# The unit a "how many / how much" question expects its number in.
_MONEY = re.compile(r"钱|资金|经费|金额|投入|投资|资助|补助|补贴|奖励|捐|筹|募|费用|收入|预算|工资|薪|(?<![单公西纪])元(?![朝代旦素年月首帅老化])")
_PERCENT = re.compile(r"率|比例|比重|占比|百分|几成")
_ASKED_UNIT = re.compile(r"(?:多少|几)\s*(?P<unit>万元|亿元|平方公里|平方米|公里|千米|厘米|毫米|米|公分|公斤|千克|吨|公顷|亩|小时|分钟|[个所名人项次倍家座间条户台套批期岁年天种位部本场届支件篇块辆张枚只首层周分])")
# 多高 / 多长 / 多重 / 多久 ask for a measure in one of these units: at the end of the question or
# before 时间/的/了/呢 (not 许多高明, 多长远, 多深刻, 很多高校).
_ASKS_MEASURE = re.compile(r"(?<![很许好最更较])多[高长远深宽厚重久](?=$|[?？!！。，,\s]|时间|的|了|呢|啊|呀)")
_LENGTH = "米|公里|千米|厘米|毫米|公尺|公分|英尺|英里|英寸|海里|光年|km|cm|mm|m"
_MEASURE_UNITS = {"高": _LENGTH, "长": _LENGTH + "|年|天|小时|分钟|秒", "远": _LENGTH, "深": _LENGTH,
                  "宽": _LENGTH, "厚": _LENGTH, "重": "吨|公斤|千克|克|斤|磅|kg|t|g",
                  "久": "年|个月|月|周|天|日|小时|分钟|秒|世纪"}
_SAME_UNIT = {"名": "名|人", "人": "人|名", "个": "个|项|所|名|人|家"}
# Questions that ask for a year, a month or a day, and what such a value looks like.
_ASKS_YEAR = re.compile(r"哪一?年|何年|年份|什么年代|哪个年代|(?:公元|西元|民国)前?几年")
_ASKS_MONTH = re.compile(r"哪个月|几月|哪一?月份")
_ASKS_DAY = re.compile(r"哪一?天|几号|几日|日期|哪一日")
_YEAR_VALUE = re.compile(rf"\d{{2,4}}\s*年|[{_CN_DIGITS}]{{4}}\s*年|年代|公元|世纪")
_MONTH_VALUE = re.compile(rf"[\d{_CN_DIGITS}]{{1,3}}\s*月")
_DAY_VALUE = re.compile(rf"[\d{_CN_DIGITS}]{{1,3}}\s*[日号]")


def asked_unit(norm: str) -> re.Pattern[str] | None:
    """What the value a question asks for looks like: a number in its unit (多少钱 → 元, 几所 → 所,
    率 → %), or a year, month or day (哪一年 → 1912年); None when the question does not say."""
    if _ASKS_YEAR.search(norm):
        return _YEAR_VALUE
    if _ASKS_MONTH.search(norm):
        return _MONTH_VALUE
    if _ASKS_DAY.search(norm):
        return _DAY_VALUE
    if not QUESTION_TYPES["number"].search(norm):
        return None
    explicit = _ASKED_UNIT.search(norm)
    measure = _ASKS_MEASURE.search(norm)
    if _PERCENT.search(norm):
        unit = "%|‰|成"
    elif _MONEY.search(norm):
        unit = "元|万元|亿元|[美港日欧澳台]元|英镑"
    elif explicit:
        unit = _SAME_UNIT.get(explicit.group("unit"), re.escape(explicit.group("unit")))
    elif measure:
        unit = _MEASURE_UNITS[measure.group(0)[-1]]
    else:
        return None
    # The lookbehind keeps the pattern linear on long runs of digits; a calendar year (1935年) is
    # not a number of years; the last lookahead stops one-letter units inside words (5g, 3min)
    # and 元 of 元旦.
    return re.compile(rf"(?<![\d{_CN_DIGITS}.])(?!\d{{4}}\s*年)[\d{_CN_DIGITS}]+(?:\.\d+)?\s*(?:多|余)?\s*"
                      rf"(?:万|亿|千)?(?:{unit})(?![a-z旦])")


VALUE_AFTER = 4   # characters between a question term and a value that follows it (学校12所)
VALUE_BEFORE = 2  # ... and between a value and a term that follows it (30名师范生)


def value_near_term(norm: str, unit: re.Pattern[str], terms: list[tuple[str, float]]) -> float:
    """The largest weight of a question term that a value of the asked kind directly follows or
    precedes in ``norm`` (0 if none): 学校12所 answers 学校多少所, a total further away does not."""
    spans = [(m.start(), m.end()) for m in unit.finditer(norm)]
    if not spans:
        return 0.0
    best = 0.0
    for term, weight in terms:
        if weight <= best:
            continue
        pos = norm.find(term)
        while pos >= 0:
            end = pos + len(term)
            if any(0 <= a - end <= VALUE_AFTER or 0 <= pos - b <= VALUE_BEFORE for a, b in spans):
                best = weight
                break
            pos = norm.find(term, pos + 1)
    return best


def question_types(norm: str) -> tuple[str, ...]:
    """The answer types a normalised question asks for (possibly several, possibly none)."""
    return tuple(name for name, pattern in QUESTION_TYPES.items() if pattern.search(norm))


def answer_shapes(norm: str) -> tuple[str, ...]:
    """The answer types a normalised sentence carries."""
    return tuple(name for name, pattern in ANSWER_SHAPES.items() if pattern.search(norm))


_WH = re.compile(r"什么|多少|哪|谁|几|怎样|怎么|如何|何")
_WH_FILLER = re.compile(r"^(?:一?[个所名位家种些年项类条部本座]|一|样的?)")
_FOCUS_TAIL = re.compile(r"(?:是|为|有|叫|叫做|在|的|了|都|又|则|还|共|一共|分别|主要|具体)+$")
# One-character words that end a longer name of what is asked (近视率, 用水量, 出生地).
_SUFFIX_FOCUS = frozenset("率量数额费价值度期名地")
# One-character words that are a focus on their own (字是什么, 号是什么).
_ONE_CHAR_FOCUS = frozenset("字号姓名")
_NOT_FOCUS = frozenset("是 有 在 为 的 了 时候 时间 地方 东西 事情 意思 样子 起来 一共 总共".split())


def question_category(norm: str, tokenizer: Tokenizer) -> str:
    """The noun right after the question word, naming the kind of thing asked for
    ("哪个大学" → 大学, "什么宗教" → 宗教); "" if the question word is not followed by one."""
    m = _WH.search(norm)
    if not m:
        return ""
    after = _WH_FILLER.sub("", norm[m.end():])
    words = tokenizer.tokens(after[:8], normalized=True) if after else []
    if words and len(words[0]) >= 2 and after.startswith(words[0]) and words[0] not in _NOT_FOCUS:
        return words[0]
    return ""


def _words_before(norm: str, tokenizer: Tokenizer) -> tuple[str, list[str]]:
    """The text before the question word without trailing fillers (是, 的, 一共 …), and the words
    of its last characters; ("", []) when there is no question word."""
    m = _WH.search(norm)
    if not m:
        return "", []
    before = _FOCUS_TAIL.sub("", norm[:m.start()])
    return before, (tokenizer.tokens(before[-8:], normalized=True) if before else [])


def question_focus(norm: str, tokenizer: Tokenizer, category: str | None = None) -> str:
    """The word that names what a question asks for: the noun right after the question word
    ("哪个大学" → 大学) or, failing that, the last word before it ("焦点是什么" → 焦点).
    ``category`` is :func:`question_category` of ``norm`` when the caller already has it."""
    if category is None:
        category = question_category(norm, tokenizer)
    if category:
        return category
    before, words = _words_before(norm, tokenizer)
    if words and before.endswith(words[-1]) and words[-1] not in _NOT_FOCUS:
        last = words[-1]
        if len(last) > 1:
            return last
        if last in _SUFFIX_FOCUS and len(words) > 1 and before.endswith(words[-2] + last):
            return words[-2] + last  # 近视 + 率
        return last if last in _ONE_CHAR_FOCUS else ""
    return ""


def question_anchors(norm: str, tokenizer: Tokenizer,
                     category: str | None = None) -> tuple[tuple[str, bool], ...]:
    """The content words right before and right after the question word, each with whether the
    answer follows it: in 会议的焦点是什么 the answer follows 焦点; in 谁创作了 it precedes 创作.
    The word after is the question's category (:func:`question_category`, passed when known)."""
    out = []
    before, words = _words_before(norm, tokenizer)
    if words and len(words[-1]) >= 2 and before.endswith(words[-1]) and words[-1] not in _NOT_FOCUS:
        out.append((words[-1], True))
    if category is None:
        category = question_category(norm, tokenizer)
    if category:
        out.append((category, False))
    return tuple(out)


SLOT_WIDTH = 3  # characters next to an anchor where the answer's new words are looked for
_WORD_CHAR = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff]")


def slot_filled(norm: str, anchors: tuple[tuple[str, bool], ...], asked_chars: frozenset[str]) -> float:
    """Share of the anchors found in ``norm`` with a word the question lacks on the answer's side:
    会议的焦点是课后服务 fills 焦点是什么, 焦点 followed by words of its own."""
    if not anchors:
        return 0.0
    filled = 0
    for word, answer_after in anchors:
        pos = norm.find(word)
        while pos >= 0:
            gap = norm[pos + len(word):pos + len(word) + SLOT_WIDTH] if answer_after else norm[max(0, pos - SLOT_WIDTH):pos]
            if any(ch not in asked_chars and _WORD_CHAR.match(ch) for ch in gap):
                filled += 1
                break
            pos = norm.find(word, pos + 1)
    return filled / len(anchors)


def analyse(question: str, tokenizer: Tokenizer) -> Question:
    norm = normalize(question)
    content = _QUESTION_WORDS.sub(" ", norm)
    tokens = tuple(t for t in tokenizer.tokens(content, normalized=True)
                   if t not in _QUESTION_TOKENS and t not in _EVERY_PLACE_WORDS)
    if not tokens:
        tokens = tuple(tokenizer.tokens(norm, normalized=True))
    bigrams = frozenset(char_bigrams(content))
    years = tuple(int(y) for y in _YEAR.findall(norm))
    m = _DEFINITION.match(norm.strip())
    subject = _WORDS_ONLY.sub("", (m.group("a") or m.group("b") or "")) if m else ""
    places = tuple(t for t in tokens if _PLACE_NAME.fullmatch(t) and not _NOT_A_PLACE.search(t))
    category = question_category(norm, tokenizer)
    return Question(question, norm, tokens, question_types(norm), bigrams, years,
                    bool(_EVERY_PLACE.search(norm)), subject if len(subject) <= 12 else "",
                    places, question_focus(norm, tokenizer, category), asked_unit(norm), category,
                    question_anchors(norm, tokenizer, category))


@dataclass(slots=True)
class _Row:
    """What the composer knows of one candidate sentence before its features are written."""

    chunk: int
    sent: int
    doc: int
    rank: int  # the chunk's BM25 rank
    rel: float  # the chunk's BM25 score relative to the best chunk
    plan: float  # +1 / -1 / 0, see the "plan" feature
    norm: str  # normalised text
    grams: set[str]
    toks: set[int]
    tok_cov: float
    n_toks: int
    tfs: list[int]  # counts of the question terms (at least 1 for a term found only as text)
    first: bool  # first / last sentence of its chunk
    last: bool
    opens_para: bool
    # Filled once the whole chunk is read:
    ctx_cov: float = 0.0
    key_near: bool = False
    para_year: bool = False
    foreign_place: bool = False
    best_in_chunk: bool = False
    info: float = 0.0
    rel_cov: float = 0.0
    label: bool = False


@dataclass
class Candidates:
    """Candidate sentences of one question with their feature rows."""

    chunk: list[int]
    sent: list[int]
    doc: list[int]
    features: np.ndarray  # (n, len(FEATURES))
    confidence: np.ndarray  # (n,)


class Composer:
    """Scores sentences of retrieved chunks against a question."""

    def __init__(self, corpus: CorpusIndex, tokenizer: Tokenizer, *, retrieve_k: int = 10,
                 min_confidence: float = 0.35, model: ScoringModel | None = None,
                 thesaurus: Thesaurus | None = None):
        self.corpus = corpus
        self.thesaurus = default_thesaurus() if thesaurus is None else thesaurus
        self.tokenizer = tokenizer
        self.retrieve_k = retrieve_k
        self.min_confidence = min_confidence
        self.model = model or default_model()
        # Place names each document is about, with their short forms (古丈县 → 古丈).
        self._doc_places: list[set[str]] = []
        for meta in corpus.docs:
            names: set[str] = set()
            for place in meta.places:
                p = normalize(place)
                names.add(p)
                if len(p) >= 3:
                    names.add(p[:-1])
            self._doc_places.append(names)
        self._all_places = set().union(*self._doc_places) if self._doc_places else set()
        self._doc_years = [set(meta.years) for meta in corpus.docs]
        self._titles = [normalize(meta.title) for meta in corpus.docs]
        self._not_found = NOT_FOUND.format(coverage=coverage_note(corpus.docs))
        # Per section: the top-level heading of a plan part, normalised ("" for other sections).
        plan_of: dict[str, str] = {}
        self._plan_heading = []
        for section in corpus.sections:
            raw = section.split(SECTION_SEP, 1)[0] if section else ""
            if raw not in plan_of:
                top = normalize(raw)
                plan_of[raw] = top if _PLAN_SECTION.search(top) and "总结" not in top else ""
            self._plan_heading.append(plan_of[raw])
        # Per section, read when first retrieved: its innermost label as bare words.
        self._labels: dict[int, str] = {}

    def _section_label(self, section: int) -> str:
        """The innermost label of ``section`` as bare words, to tell a sentence that only repeats
        it (一是全力做好控辍保学工作。); worked out once per section, when first needed."""
        label = self._labels.get(section)
        if label is None:
            path = self.corpus.sections[section]
            label = _WORDS_ONLY.sub("", normalize(path.rsplit(SECTION_SEP, 1)[-1])) if path else ""
            self._labels[section] = label
        return label

    def _doc_preference(self, q: Question) -> tuple[np.ndarray, np.ndarray | None]:
        """Per document: +1 if it is the place/year the question names, -1 if another one is named;
        and, when the question names a place some reports are about, which reports those are."""
        pref = np.zeros(len(self.corpus.docs))
        named_places = {p for p in self._all_places if p in q.norm}
        chosen = None
        if named_places:
            chosen = np.array([bool(named_places & places) for places in self._doc_places])
            pref += np.where(chosen, 1.0, -1.0)
        if q.years:
            for d, years in enumerate(self._doc_years):
                if years:
                    pref[d] += 0.5 if set(q.years) & years else -0.25
        return pref, chosen

    def _expand(self, terms: list[str]) -> dict[str, tuple[str, ...]]:
        """Synonyms the reports use for each question term (terms without any are left out)."""
        vocab = self.corpus.bm25.vocab
        asked = set(terms)
        out = {}
        for t in terms:
            syns = tuple(s for s in self.thesaurus.synonyms(t) if s in vocab and s not in asked)
            if syns:
                out[t] = syns
        return out

    def _retrieve(self, q: Question, pref: np.ndarray, chosen: np.ndarray | None,
                  expansions: dict[str, tuple[str, ...]]) -> tuple[list[int], np.ndarray]:
        scores = self.corpus.bm25.scores(q.tokens)
        if expansions:
            scores += SYNONYM_WEIGHT * self.corpus.bm25.scores([s for syns in expansions.values() for s in syns])
        chunk_doc = self.corpus.tables["chunk_doc"]
        if chosen is not None and np.any(chosen[chunk_doc] & (scores > 0)):
            # The question names the place a report is about: answer from that report only.
            scores = np.where(chosen[chunk_doc], scores, 0.0)
        if np.any(pref):
            scores = np.where(scores > 0, scores * (1.0 + 0.25 * pref[chunk_doc]), scores)
        k = min(self.retrieve_k, len(scores))
        if k == 0:
            return [], scores
        cand = np.argpartition(-scores, k - 1)[:k]
        cand = cand[np.lexsort((cand, -scores[cand]))]
        return [int(i) for i in cand if scores[i] > 0], scores

    def candidates(self, question: str | Question) -> Candidates | None:
        """Feature rows of every sentence of the retrieved chunks, or None if nothing matched."""
        q = question if isinstance(question, Question) else analyse(question, self.tokenizer)
        if not q.tokens and not q.bigrams:
            return None
        pref, chosen = self._doc_preference(q)
        expansions = self._expand(list(dict.fromkeys(q.tokens)))
        chunks, scores = self._retrieve(q, pref, chosen, expansions)
        if not chunks:
            return None
        corpus = self.corpus
        bm25 = corpus.bm25
        chunk_doc = corpus.tables["chunk_doc"]
        top_score = float(scores[chunks[0]]) or 1.0

        # Question terms and their idf weights (unknown terms weigh the most).
        # Once a named place has chosen the report, its name tells the report's sentences nothing apart.
        selectors = {p for p in self._all_places if p in q.norm} if chosen is not None else set()
        # So does a year that is in a report's title.
        selectors |= {str(y) for y in q.years if any(str(y) in title for title in self._titles)}
        terms = [t for t in dict.fromkeys(q.tokens) if not any(t in p for p in selectors)] or list(q.tokens)
        q_bigrams = frozenset(b for b in q.bigrams if not any(b in p for p in selectors)) or q.bigrams
        # Keyed by vocabulary id; a term the index never produced gets a negative key of its own.
        weights: dict[int, float] = {}
        # Terms of two or more characters, also found as text: a sentence that jieba cuts
        # differently (日 + 马萨利加 joined as 日马萨利加 after a date) still holds the term.
        spelled: list[tuple[str, int]] = []
        # Terms the reports word differently: (the term's weight, ids of its synonyms).
        alternatives: list[tuple[float, int | None, frozenset[int]]] = []
        total_weight = 0.0
        for k, t in enumerate(terms):
            w = max(bm25.idf_of(t), 0.05)
            total_weight += w
            tid = bm25.vocab.get(t)
            key = tid if tid is not None else -1 - k
            weights[key] = w
            if len(t) >= 2:
                spelled.append((t, key))
            if t in expansions:
                alternatives.append((w, tid, frozenset(bm25.vocab[s] for s in expansions[t])))
        total_weight = total_weight or 1.0

        def covered(toks: set[int]) -> float:
            """idf-weighted share of the question terms in ``toks`` (a synonym counts for less)."""
            found = sum(w for t, w in weights.items() if t in toks)
            for w, tid, alts in alternatives:
                if tid not in toks and not alts.isdisjoint(toks):
                    found += SYNONYM_WEIGHT * w
            return found / total_weight
        known = {t: bm25.idf_of(t) for t in terms if t in bm25.vocab}  # terms the reports use
        key_term = max(known, key=known.__getitem__) if known else ""
        focus = q.focus if q.focus and q.focus != key_term else ""
        # Question terms of two or more characters with their weight relative to the rarest one.
        top_idf = known.get(key_term) or 1.0
        near_terms = sorted(((t, idf / top_idf) for t, idf in known.items() if len(t) >= 2),
                            key=lambda tw: -tw[1])

        rows: list[_Row] = []
        chunk_grams: dict[int, set[str]] = {}
        seen: set[tuple[int, int]] = set()
        year_strs = [str(y) for y in q.years]
        asks_plan = bool(_ASKS_PLAN.search(q.norm))
        tables = corpus.tables
        term_list = list(weights)
        idf_arr = bm25.idf
        asked_chars = frozenset(q.norm)
        # Words a sentence does not add to the question: its terms, their synonyms, and the place
        # and year words that chose the report.
        not_new = set(weights) | {t for _, _, alts in alternatives for t in alts}
        not_new |= {bm25.vocab[w] for w in selectors if w in bm25.vocab}
        for rank, c in enumerate(chunks):
            doc = int(chunk_doc[c])
            rng = corpus.sentence_range(c)
            lo, hi = rng.start, rng.stop
            ptr = tables["tok_ptr"][lo:hi + 1].tolist()
            all_toks = tables["tok"][ptr[0]:ptr[-1]].tolist()
            starts = tables["sent_start"][lo:hi].tolist()
            ends = tables["sent_end"][lo:hi].tolist()
            para_start = int(tables["para_start"][c])
            heading = self._plan_heading[int(tables["chunk_section"][c])]
            label = self._section_label(int(tables["chunk_section"][c]))
            plan = 0.0
            if heading:
                plan = 1.0 if asks_plan or any(y in heading for y in year_strs) else -1.0
            # Only the chunk is decoded; sentence offsets are into the document.
            chunk_text = corpus.chunk_text(c)
            base = int(tables["chunk_start"][c])
            rel = float(scores[c]) / top_score
            chunk_terms: set[int] = set()
            chunk_rows: list[_Row] = []
            for j, s in enumerate(rng):
                tok_list = all_toks[ptr[j] - ptr[0]:ptr[j + 1] - ptr[0]]
                toks = set(tok_list)
                norm = normalize(chunk_text[starts[j] - base:ends[j] - base])
                toks.update(key for t, key in spelled if key not in toks and t in norm)
                chunk_terms |= toks
                new = [t for t in toks if t >= 0 and t not in not_new]
                added = float(idf_arr[new].sum()) if new else 0.0
                chunk_rows.append(_Row(
                    chunk=c, sent=s, doc=doc, rank=rank, rel=rel, plan=plan, norm=norm,
                    grams=char_bigrams(norm), toks=toks, tok_cov=covered(toks), n_toks=len(tok_list),
                    tfs=[(tok_list.count(t) or 1) if t in toks else 0 for t in term_list],
                    first=s == lo, last=s == hi - 1, opens_para=starts[j] == para_start,
                    info=math.log1p(added) / 5.0,
                    label=bool(label) and _WORDS_ONLY.sub("", norm) == label))
            para_text = "".join(r.norm for r in chunk_rows)
            chunk_grams[c] = set().union(*(r.grams for r in chunk_rows))
            cov = covered(chunk_terms)
            has_year = bool(year_strs) and (any(y in para_text for y in year_strs)
                                            or bool(set(q.years) & self._doc_years[doc]))
            # A named place unknown to this report and absent from the passage: wrong place.
            foreign = any(p not in para_text and p not in self._doc_places[doc]
                          and (len(p) < 3 or p[:-1] not in self._doc_places[doc]) for p in q.places)
            top_cov = max((r.tok_cov for r in chunk_rows), default=0.0)
            # Question terms beyond those of the paragraph's opening sentence, which names its subject.
            opening = chunk_rows[0].toks if chunk_rows[0].opens_para else self._opening_terms(c, spelled)
            beyond_subject = {t: w for t, w in weights.items() if t not in opening}
            beyond_total = sum(beyond_subject.values())
            seen_key = False
            for r in chunk_rows:
                seen_key = seen_key or bool(key_term and key_term in r.norm)
                r.key_near = seen_key
                r.ctx_cov = cov
                r.para_year = has_year
                r.foreign_place = foreign
                r.best_in_chunk = r.tok_cov >= top_cov and top_cov > 0
                if beyond_total:
                    r.rel_cov = sum(w for t, w in beyond_subject.items() if t in r.toks) / beyond_total
            rows += chunk_rows
        n = len(rows)
        # Drop repeated sentences (the same text retrieved twice), keeping the first.
        keep = []
        for i, r in enumerate(rows):
            key = (r.doc, hash(r.norm))
            if key not in seen:
                seen.add(key)
                keep.append(i)

        # Rarity of each question bigram among the candidate sentences.
        qb = list(q_bigrams)
        bw = np.log1p(n / (1.0 + np.array([sum(1 for r in rows if b in r.grams) for b in qb], dtype=np.float64)))
        bw_total = float(bw.sum()) or 1.0

        def bigram_share(grams: set[str]) -> float:
            """Rarity-weighted share of the question's bigrams in ``grams``."""
            hits = [j for j, b in enumerate(qb) if b in grams]
            return float(bw[hits].sum()) / bw_total if hits else 0.0
        ctx_big = {c: bigram_share(grams) for c, grams in chunk_grams.items()}
        # BM25 of each sentence as its own document (idf from the index, length from the candidates).
        sent_bm25 = np.zeros(n)
        if weights and n:
            tf = np.array([r.tfs for r in rows], dtype=np.float64)
            idf = np.array(list(weights.values()))
            length = np.array([r.n_toks for r in rows], dtype=np.float64)
            norm_len = 1.2 * (0.25 + 0.75 * length / max(1.0, float(length.mean())))
            sent_bm25 = (tf * 2.2 / (tf + norm_len[:, None]) * idf).sum(axis=1)
            top = float(sent_bm25.max())
            if top > 0:
                sent_bm25 /= top
        primary = q.types[0] if q.types else ""
        X = np.zeros((n, len(FEATURES)))
        conf = np.zeros(n)
        for i, r in enumerate(rows):
            g = r.grams
            norm = r.norm
            prev = rows[i - 1] if not r.first else None
            nxt = rows[i + 1] if not r.last else None
            big = bigram_share(g)
            X[i, F["tok_cov"]] = r.tok_cov
            X[i, F["big_cov"]] = big
            X[i, F["ctx_big"]] = ctx_big.get(r.chunk, 0.0)
            X[i, F["ctx_cov"]] = r.ctx_cov
            X[i, F["prev_cov"]] = prev.tok_cov if prev else 0.0
            X[i, F["next_cov"]] = nxt.tok_cov if nxt else 0.0
            X[i, F["rank_recip"]] = 1.0 / (1.0 + r.rank)
            X[i, F["best_in_chunk"]] = 1.0 if r.best_in_chunk else 0.0
            X[i, F["first_sent"]] = 1.0 if r.opens_para else 0.0
            X[i, F["bm25_rel"]] = r.rel
            novel = len(g - q.bigrams) / len(g) if g else 0.0
            X[i, F["novel"]] = novel
            X[i, F["restate"]] = max(0.0, 0.35 - novel) / 0.35
            X[i, F["log_len"]] = math.log1p(len(norm)) / 5.0
            X[i, F["long"]] = min(2.0, max(0.0, (len(norm) - LONG_SENTENCE) / LONG_SENTENCE))
            if year_strs:
                # A year in the report's title names the report; it says nothing about the sentence.
                own = any(y in self._titles[r.doc] for y in year_strs)
                X[i, F["year_match"]] = 1.0 if own or any(y in norm for y in year_strs) else 0.0
                X[i, F["year_miss"]] = 0.0 if r.para_year else 1.0
            shapes = [t for t in q.types if ANSWER_SHAPES[t].search(norm)]
            X[i, F["sent_bm25"]] = sent_bm25[i]
            X[i, F["key_near"]] = 1.0 if r.key_near else 0.0
            X[i, F["focus_sent"]] = 1.0 if focus and focus in norm else 0.0
            X[i, F["unit_match"]] = 1.0 if q.unit is not None and q.unit.search(norm) else 0.0
            X[i, F["plan"]] = r.plan
            X[i, F["rel_cov"]] = r.rel_cov
            X[i, F["label"]] = 1.0 if r.label else 0.0
            X[i, F["info"]] = r.info
            X[i, F["slot"]] = slot_filled(norm, q.anchors, asked_chars)
            wp = covered(prev.toks | r.toks) if prev else r.tok_cov
            wn = covered(r.toks | nxt.toks) if nxt else r.tok_cov
            X[i, F["win_cov"]] = max(wp, wn)
            if q.category and q.category[-1] in norm.replace(q.category, ""):
                X[i, F["category_head"]] = 1.0
            if q.unit is not None and X[i, F["unit_match"]]:
                X[i, F["value_near"]] = value_near_term(norm, q.unit, near_terms)
            if q.types:
                matched = [t for t in q.types if t in shapes]
                for t in matched:
                    X[i, F[f"type_{t}"]] = 1.0
                X[i, F["type_miss"]] = 0.0 if primary in shapes else 1.0
                if primary in shapes:
                    X[i, F["type_nb"]] = max(prev.tok_cov if prev else 0.0, nxt.tok_cov if nxt else 0.0,
                                             r.tok_cov)
            if q.subject and norm.startswith(q.subject[:2]) and q.subject in norm[:len(q.subject) + 30]:
                rest = norm[norm.find(q.subject) + len(q.subject):]
                X[i, F["defines"]] = 1.0 if _DEFINES.match(rest) else 0.5
            c = 0.5 * r.tok_cov + 0.5 * big
            if X[i, F["unit_match"]]:
                c = min(1.0, c * VALUE_EVIDENCE)
            elif q.unit is not None:
                c *= VALUE_MISSING
            if year_strs and not r.para_year:
                c *= YEAR_MISSING_FACTOR
            if r.foreign_place:
                c *= MISSING_FACTOR
            conf[i] = c
        idx = np.array(keep, dtype=np.int64)
        return Candidates([rows[i].chunk for i in keep], [rows[i].sent for i in keep],
                          [rows[i].doc for i in keep], X[idx], conf[idx])

    def _opening_terms(self, c: int, spelled: list[tuple[str, int]]) -> set[int]:
        """Term ids of the opening sentence of chunk ``c``'s paragraph (an earlier chunk's first
        sentence when a long paragraph was split), with the question terms it holds as text."""
        tables = self.corpus.tables
        doc, para = tables["chunk_doc"][c], tables["para_start"][c]
        first = c
        while first > 0 and tables["chunk_doc"][first - 1] == doc and tables["para_start"][first - 1] == para:
            first -= 1
        s = self.corpus.sentence_range(first).start
        ptr = tables["tok_ptr"]
        toks = set(tables["tok"][ptr[s]:ptr[s + 1]].tolist())
        norm = normalize(self.corpus.sentence_text(first, s))
        toks.update(key for t, key in spelled if t in norm)
        return toks

    def compose(self, question: str, limit: int = 3, more: int = 10) -> Answer:
        q = analyse(question, self.tokenizer)
        if not q.tokens and not q.bigrams:
            return Answer(question, False, message=NO_TERMS)
        cands = self.candidates(q)
        if cands is None or not len(cands.chunk):
            return Answer(question, False, message=self._not_found)
        scores = cands.features @ self.model.weights
        order = np.argsort(-scores, kind="stable")
        best_conf = float(cands.confidence[order[:5]].max())
        if best_conf < self.min_confidence:
            closest: tuple[Sentence, ...] = ()
            if best_conf >= CLOSEST_SHARE * self.min_confidence:
                closest = tuple(self._sentence(cands, int(i), scores) for i in order[:CLOSEST])
            return Answer(question, False, message=self._not_found, closest=closest)
        spread = self._spread(q)
        ranked = self._diversify(order, scores, cands.doc, spread, limit + more)
        picked = [self._sentence(cands, i, scores) for i in ranked]
        return Answer(question, True, tuple(picked[:limit]), "", tuple(picked[limit:]))

    def _sentence(self, cands: Candidates, i: int, scores: np.ndarray) -> Sentence:
        chunk, sent = cands.chunk[i], cands.sent[i]
        return Sentence(self.corpus.sentence_text(chunk, sent), round(float(scores[i]), 6),
                        self.corpus.citation(chunk, sent))

    def _spread(self, q: Question) -> float:
        """How much to favour answers from different reports: only when the reports are about
        different places and the question picks none of them (or asks about every place)."""
        if not self._all_places or len(self.corpus.docs) < 2:
            return 0.0
        if q.every_place:
            return 2.0 * self.model.diversity
        if any(p in q.norm for p in self._all_places):
            return 0.0
        return self.model.diversity

    @staticmethod
    def _diversify(order: np.ndarray, scores: np.ndarray, docs: list[int], toll: float, n: int) -> list[int]:
        """Greedy pick; a further sentence from an already used report pays ``toll`` per use."""
        if toll <= 0:
            return [int(i) for i in order[:n]]
        pool = [int(i) for i in order[:max(60, n)]]
        out: list[int] = []
        used: dict[int, int] = {}
        while pool and len(out) < n:
            best = max(range(len(pool)), key=lambda j: scores[pool[j]] - toll * used.get(docs[pool[j]], 0))
            i = pool.pop(best)
            used[docs[i]] = used.get(docs[i], 0) + 1
            out.append(i)
        return out


NO_TERMS = "问题里没有可以检索的词语，请换一种说法，例如：古丈县现有各级各类学校多少所？"
NOT_FOUND = "报告中没有找到能回答这个问题的内容。{coverage}可以换个说法、加上地名或年份，或用“来源”查看收录了哪些报告。"
# A refused question whose best sentences reach this share of min_confidence still shows the
# CLOSEST best ones, marked as not confirmed: a question in everyday words often has its answer
# there (see docs/quality.md), and the user can check it against the citation.
CLOSEST_SHARE = 0.5
CLOSEST = 2
MAX_PLACES_NAMED = 6


def coverage_note(docs: Sequence[DocMeta]) -> str:
    """What the reports are about, for a refusal: 现有5份报告，涉及古丈县、长葛市…（2019—2024年）。"""
    if not docs:
        return ""
    places = list(dict.fromkeys(p for d in docs for p in d.places))
    years = sorted({y for d in docs for y in d.years})
    note = f"现有{len(docs)}份报告"
    if places:
        shown = "、".join(places[:MAX_PLACES_NAMED])
        note += f"，涉及{shown}" + (f"等{len(places)}地" if len(places) > MAX_PLACES_NAMED else "")
    if years:
        note += f"（{years[0]}年）" if years[0] == years[-1] else f"（{years[0]}—{years[-1]}年）"
    return note + "。"
