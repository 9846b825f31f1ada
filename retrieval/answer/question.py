"""Question analysis: from the text of a question to a :class:`Question` record.

The record says what the question asks for (answer types, the unit of an asked value, the focus
word, the words around the question word), what it names (places, a definition subject, every
place at once) and whether it asks about plans; its search terms leave out question words. Its
years are read once, by retrieval/dates/when.py, into ``Question.time`` (set by the composer).
"""

from __future__ import annotations

import re

from ..dates.when import ASKS_PLAN as _ASKS_PLAN
from ..lang.places import default_gazetteer, shaped_like_place
from ..lang.shapes import CN_DIGITS as _CN_DIGITS, QUESTION_TYPES
from ..lang.text import Tokenizer, bare_words, char_bigrams, normalize
from .records import Question

# Question words, removed from the question before it is matched (they never occur in the answer).
_QUESTION_WORDS = re.compile(
    r"请问|是多少|有多少|多少|什么时候|什么地方|哪些?地方|哪个地方|什么样的?|是什么|什么|哪一?[年种人个位天座部本家所条项次类国城场些里儿]?|如何|怎么样|怎样|怎么|"
    r"为什么|为何|何时|何地|何处|何人|是否|有没有|吗|呢|吧|谁|几(?!何|乎)[个所名人项次种类年月天岁成]?|"
    r"[?？!！。，,、\s]"
)
_QUESTION_TOKENS = frozenset(
    "谁 哪 何 哪儿 哪位 何时 何地 何处 何人 何种 何年 为何 多久 多长 多大 多高 多远 多重 哪一 哪一年 哪些 "
    "哪个 哪里 哪种 哪家 哪所 哪座 哪部 哪国 什么 什么样 多少 几 几个 怎样 怎么 如何 是否 为什么".split()
)

# "什么是X" / "X是什么" / "X指的是什么": the answer is the sentence that defines X.
_DEFINITION = re.compile(
    r"^(?:什么是|何谓)(?P<a>.+?)[?？]?$|^(?P<b>.+?)(?:是什么|是指什么|指的是什么|是啥|是什么意思)[?？]?$"
)
# Words for every place (各地, 各县市), which no report uses for the answer: they are not search
# terms (各地 is not matched; 各市场 still is), and a question using them asks about every place.
_EVERY_PLACE_WORDS = frozenset(
    "各地 各县 各市 各区 各校 各个 各县市 各县区 各区县 各市县 各省 各乡镇 各乡 各镇 各地区 各学校 各".split()
)
_EVERY_PLACE = re.compile(
    "|".join(sorted((w for w in _EVERY_PLACE_WORDS if len(w) > 1), key=len, reverse=True)) + "|哪些地方|哪些县|哪些市"
)


# The unit a "how many / how much" question expects its number in.
_MONEY = re.compile(
    r"钱|资金|经费|金额|投入|投资|资助|补助|补贴|奖励|捐|筹|募|费用|收入|预算|工资|薪|(?<![单公西纪])元(?![朝代旦素年月首帅老化])"
)
_PERCENT = re.compile(r"率|比例|比重|占比|百分|几成")
_ASKED_UNIT = re.compile(
    r"(?:多少|几)\s*(?P<unit>万元|亿元|平方公里|平方米|公里|千米|厘米|毫米|米|公分|公斤|千克|吨|公顷|亩|小时|分钟|[个所名人项次倍家座间条户台套批期岁年天种位部本场届支件篇块辆张枚只首层周分])"
)
# 多高 / 多长 / 多重 / 多久 ask for a measure in one of these units: at the end of the question or
# before 时间/的/了/呢 (not 许多高明, 多长远, 多深刻, 很多高校).
_ASKS_MEASURE = re.compile(r"(?<![很许好最更较])多[高长远深宽厚重久](?=$|[?？!！。，,\s]|时间|的|了|呢|啊|呀)")
_LENGTH = "米|公里|千米|厘米|毫米|公尺|公分|英尺|英里|英寸|海里|光年|km|cm|mm|m"
_MEASURE_UNITS = {
    "高": _LENGTH,
    "长": _LENGTH + "|年|天|小时|分钟|秒",
    "远": _LENGTH,
    "深": _LENGTH,
    "宽": _LENGTH,
    "厚": _LENGTH,
    "重": "吨|公斤|千克|克|斤|磅|kg|t|g",
    "久": "年|个月|月|周|天|日|小时|分钟|秒|世纪",
}
# 增长了多少 / 下降多少 ask for a change: a share (8.1%, 百分之十), a multiple or an amount.
_ASKS_CHANGE = re.compile(r"(?:(?:增长|下降|提高|降低|增加|减少|上涨|上升|扩大|缩小|涨)了?|[多少]了)多少")
_CHANGE_UNITS = "%|‰|成|倍|个百分点|元|[美港日欧澳台]元|人|吨|斤|公斤|个|项|所|户|套|亩|公里|千瓦"
_SAME_UNIT = {"名": "名|人", "人": "人|名", "位": "位|名|人", "个": "个|项|所|名|人|家"}
# Counting words of things that reports often count with 个 (多少张床位 → 床位1000个); not 所, 家,
# 名, 项 or 次, which they keep.
_COUNTERS = frozenset("张间台辆块条座套件枚只层")
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
        # 收入增长多少 asks for a change: a share (4.2%) as often as an amount.
        unit = _CHANGE_UNITS if _ASKS_CHANGE.search(norm) else "元|万元|亿元|[美港日欧澳台]元|英镑"
    elif explicit:
        word = explicit.group("unit")
        unit = _SAME_UNIT.get(word) or (f"{word}|个" if word in _COUNTERS else re.escape(word))
    elif measure:
        unit = _MEASURE_UNITS[measure.group(0)[-1]]
    elif _ASKS_CHANGE.search(norm):
        unit = _CHANGE_UNITS
    else:
        return None
    # The lookbehind keeps the pattern linear on long runs of digits; a calendar year (1935年) is
    # not a number of years; the last lookahead stops one-letter units inside words (5g, 3min)
    # and 元 of 元旦.
    extra = rf"|百分之[{_CN_DIGITS}点]+" if unit == _CHANGE_UNITS else ""
    return re.compile(
        rf"(?<![\d{_CN_DIGITS}.])(?!\d{{4}}\s*年)[\d{_CN_DIGITS}]+(?:\.\d+)?\s*(?:多|余)?\s*"
        rf"(?:万|亿|千)?(?:{unit})(?![a-z旦]){extra}"
    )


def question_types(norm: str) -> tuple[str, ...]:
    """The answer types a normalised question asks for (possibly several, possibly none)."""
    return tuple(name for name, pattern in QUESTION_TYPES.items() if pattern.search(norm))


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
    after = _WH_FILLER.sub("", norm[m.end() :])
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
    before = _FOCUS_TAIL.sub("", norm[: m.start()])
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


def question_anchors(norm: str, tokenizer: Tokenizer, category: str | None = None) -> tuple[tuple[str, bool], ...]:
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


def question_places(norm: str, tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The place names a normalised question writes: divisions (四川, 黔东南州, 古丈县) and words
    shaped like one that the data does not know (XX县)."""
    found = [m.text for m in default_gazetteer().mentions(norm)]
    found += [t for t in tokens if shaped_like_place(t) and not any(t in f or f in t for f in found)]
    return tuple(dict.fromkeys(found))


# A verb and its object written apart (造了多少亩林, 打了多少鱼, 投了票): the two characters are one
# word of the reports (造林, 打鱼, 投票) when the dictionary has it.
_COUNTERS_ALL = "个亩只条张套件次项名人批吨斤担"
_SPLIT_WORD = re.compile(rf"([\u4e00-\u9fff])了(?:多少|几)?[{_COUNTERS_ALL}]?([\u4e00-\u9fff])(?=$|[?？!！。，,、\s])")


def split_words(norm: str, tokenizer: Tokenizer) -> tuple[str, ...]:
    """The words a question writes apart around 了 (造了多少亩林 → 造林) that the dictionary knows."""
    found = []
    for m in _SPLIT_WORD.finditer(norm):
        # The verb is a word of its own, not the end of a longer one (干完了几成 is not 完成).
        if m.group(2) not in _COUNTERS_ALL and not tokenizer.known(norm[max(m.start() - 1, 0) : m.start() + 1]):
            found.append(m.group(1) + m.group(2))
    return tuple(w for w in found if tokenizer.known(w))


# A counter right after 多少 (多少所学校, 多少名教师) belongs to the question word.
_COUNTER_AFTER_HOW_MANY = re.compile(r"(?<=多少)[个所名座只台辆枚间批](?=[\u4e00-\u9fff])")


def without_counters(norm: str, tokenizer: Tokenizer) -> str:
    """``norm`` with each counter after 多少 taken out, unless it opens a dictionary word (多少名额,
    多少个体户, 多少座谈会; not a guess of jieba's HMM such as 个托位): it is no search term, and
    left in it would join the next word into a bigram (所学) that favours sentences listing many
    counts."""
    out, last = [], 0
    for m in _COUNTER_AFTER_HOW_MANY.finditer(norm):
        first = tokenizer.tokens(norm[m.start() : m.start() + 6], normalized=True)[:1]
        if first and len(first[0]) > 1 and first[0].startswith(m.group()) and tokenizer.known(first[0]):
            continue
        out.append(norm[last : m.start()] + " ")
        last = m.end()
    return "".join(out) + norm[last:]


def analyse(question: str, tokenizer: Tokenizer) -> Question:
    """The :class:`Question` record of ``question``: its search terms and what it asks for."""
    norm = normalize(question)
    content = _QUESTION_WORDS.sub(" ", without_counters(norm, tokenizer))
    tokens = tuple(
        t
        for t in tokenizer.tokens(content, normalized=True)
        if t not in _QUESTION_TOKENS and t not in _EVERY_PLACE_WORDS
    )
    if not tokens:
        tokens = tuple(tokenizer.tokens(norm, normalized=True))
    tokens += tuple(w for w in split_words(norm, tokenizer) if w not in tokens)
    bigrams = frozenset(char_bigrams(content))
    m = _DEFINITION.match(norm.strip())
    subject = bare_words(m.group("a") or m.group("b") or "") if m else ""
    places = question_places(norm, tokens)
    category = question_category(norm, tokenizer)
    return Question(
        question,
        norm,
        tokens,
        question_types(norm),
        bigrams,
        bool(_EVERY_PLACE.search(norm)),
        subject if len(subject) <= 12 else "",
        places,
        question_focus(norm, tokenizer, category),
        asked_unit(norm),
        category,
        question_anchors(norm, tokenizer, category),
        bool(_ASKS_PLAN.search(norm)),
    )
