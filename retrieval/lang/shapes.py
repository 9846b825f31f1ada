"""Answer types: the words a question asks for each with (:data:`QUESTION_TYPES`), what an answer
of each looks like in a sentence (a number in a unit, a date, a name, a place, a list:
:data:`ANSWER_SHAPES`), and the small text tests the features build on."""

from __future__ import annotations

import re

CN_DIGITS = "零〇一二三四五六七八九十百千万亿两"
_CN_DIGITS = CN_DIGITS

# Expected answer types, detected in the normalised question.
# In order of precedence: the first type found is the one a sentence must carry.
QUESTION_TYPES: dict[str, re.Pattern[str]] = {
    "time": re.compile(
        r"哪一年|哪年|何时|什么时候|什么时间|哪一?个月|几月|何年|日期|哪天|哪一天|年份|哪一?个?朝代|"
        r"什么朝代|哪一?个?世纪|几号|哪一?个?时期|什么时期|多少年"
    ),
    "person": re.compile(r"谁|哪位|何人|姓名|哪一?个人(?![数口次])|哪一人|什么人|哪一位|哪些人(?![数口次])"),
    "place": re.compile(
        r"哪里|哪儿|在哪(?![一个]?[年月天日时])|何地|何处|什么地方|哪一?个?[县市区乡镇省国州城地](?![长级委])|"
        r"哪些[县市区乡镇国地]|哪一?[所个家]?(?:学校|大学|中学|小学|学院)|哪些学校|哪座|哪一座|哪一?个?国家|"
        r"什么(?:地区|国家|城市|省份?|位置|地点|区域)|"
        r"哪[个些一]?(?:地区|城市|省份|位置|地点|区域)|位于何"
    ),
    "number": re.compile(
        r"多少|几[个所名人项次万亿千百十倍家座间条户台套批期成岁年天种位部本场届]|几成|比例|比率|比重|"
        r"百分之|占比|多大|多高|多长|多远|多重|多久|多深|多宽|多厚|数量|人数|金额|规模|率是|率为|率达|"
        r"[^效频]率[？?]?$|增长了|提高了|下降了|增加了|减少了"
    ),
    "name": re.compile(
        r"叫什么|叫做什么|什么名|名称|名字|称为|称号|荣誉|别称|别名|简称|又称|又名|俗称|全称|什么奖|哪个奖|"
        r"什么项目|什么活动|什么工程|什么计划|哪部|哪本|什么书|什么作品|哪个公司|哪家"
    ),
    "list": re.compile(r"哪些|包括|包含|有哪|分别|几类|几种|哪几"),
}
TYPE_NAMES = tuple(QUESTION_TYPES)
# Features of a sentence that carry an answer of each type (matched on the normalised text).
ANSWER_SHAPES: dict[str, re.Pattern[str]] = {
    "number": re.compile(
        # Each alternative starts only at the beginning of a digit run (linear on long runs).
        rf"(?<![\d.])\d+(?:\.\d+)?\s*(?:%|‰)|百分之|(?<![\d{_CN_DIGITS}.])[\d{_CN_DIGITS}]+(?:\.\d+)?\s*(?:多|余)?\s*"
        r"(?:万元|亿元|千元|元|万人|人次|人|名|所|个|项|次|间|平方米|平方公里|平米|㎡|m2|亩|台|套|班|万|亿|千|百|"
        r"天|小时|公里|千米|米|厘米|毫米|吨|公斤|千克|克|册|户|家|支|批|场|期|位|门|节|倍|分|条|座|届|件|篇|类|"
        r"种|校|园|块|辆|张|岁|年|枚|只|部|本|首|集|层|周|秒|分钟|度|成|美元|英里|英尺|马力|公顷|"
        r"km²|km2|km|cm|mm|kg|m²|m2|mg|ml|m|g|t)"
    ),
    "time": re.compile(
        rf"\d{{2,4}}\s*年|[\d{_CN_DIGITS}]{{1,3}}\s*月|\d{{1,2}}\s*日|[{_CN_DIGITS}]{{4}}年|世纪|年代|"
        r"年初|年底|上半年|下半年|春季|秋季|当年|同年|次年|翌年|公元|年间"
    ),
    "person": re.compile(
        r"同志|局长|校长|书记|主任|县长|市长|先生|女士|总统|国王|皇帝|教授|博士|导演|演员|作家|"
        r"创始人|创办人|主席|首相|总理|[\u4e00-\u9fff]{1,2}[·・][\u4e00-\u9fff]|由[\u4e00-\u9fff]{2,4}(?:所|于|在|创|设|发|提|担)"
    ),
    "place": re.compile(
        r"[\u4e00-\u9fff](?:省|市|县|区|乡|镇|村|州|国|岛|山|河|湖|江|海|城|港|街|路|洲|半岛)|"
        r"学校|小学|中学|幼儿园|学院|大学|位于|座落|坐落|地处|境内"
    ),
    "name": re.compile(
        r"[“\"《「『][^”\"》」』]{1,30}[”\"》」』]|称为|称作|叫做|简称|又称|别称|别名|全称|名为|号称|"
        r"又名|原名|本名|俗名|俗称|学名|也称|亦称|或称|旧称|古称|通称|雅称|昵称|外号|绰号|"
        r"称号|荣誉|奖|工程|计划|项目|活动"
    ),
    # Two 、, 一是 … 二是, 和 … 等 (anchored at the first 一是 / 和 so that a long run of them
    # without the second word is read once, not once per start).
    "list": re.compile(r"、[^、]*、|^(?:(?!一是).)*一是.*二是|包括|分别|以及|^(?:(?!和).)*和.*等"),
}
# A sentence that opens by defining its subject (X是…, X指…), after the subject itself.
DEFINES = re.compile(r"^.{0,3}(?:[（(][^）)]{0,60}[）)])?[，,]?(?:是|指|为|即|又称|或称|亦称|简称|全称)")


_DIGIT = re.compile(r"\d")
# A calendar year (2024年, 二〇二四年) is not a quantity.
# A note's mark is no figure: [8]2025年社会消费品零售总额增速…, or a table note's number (1注：此数据不包含…).
_NOTE_MARK = re.compile(r"\[\d{1,3}\]|^\s*\d{1,2}\s*(?=注\s*:)")
_CALENDAR_YEAR = re.compile(rf"(?<![\d.])\d{{4}}\s*年|[{_CN_DIGITS}]{{4}}\s*年")


def has_quantity(norm: str) -> bool:
    """Whether a normalised sentence states a figure (30所, 8.1%, 500毫升, 2比1, 百分之十),
    calendar years and notes' marks ([8]) aside."""
    rest = _NOTE_MARK.sub("", _CALENDAR_YEAR.sub("", norm))
    return bool(_DIGIT.search(rest) or ANSWER_SHAPES["number"].search(rest))


def answer_shapes(norm: str) -> tuple[str, ...]:
    """The answer types a normalised sentence carries."""
    return tuple(name for name, pattern in ANSWER_SHAPES.items() if pattern.search(norm))


VALUE_AFTER = 4  # characters between a question term and a value that follows it (学校12所)
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
            gap = (
                norm[pos + len(word) : pos + len(word) + SLOT_WIDTH]
                if answer_after
                else norm[max(0, pos - SLOT_WIDTH) : pos]
            )
            if any(ch not in asked_chars and _WORD_CHAR.match(ch) for ch in gap):
                filled += 1
                break
            pos = norm.find(word, pos + 1)
    return filled / len(anchors)
