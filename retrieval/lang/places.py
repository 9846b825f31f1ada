"""Place names: China's administrative divisions, their short forms and parents, and the places a
text names. The one home of place names.

The divisions (provinces, municipalities and autonomous regions; prefectures: cities, 州, 地区
and 盟; counties, county-level cities, districts and 旗), each with its six-digit code, come from
the data file the ``cpca`` package ships (``cpca/resources/adcodes.csv``, 3,511 rows, 155 KB),
read directly: cpca itself is never imported. A place's parent follows from its code (古丈县 is in
湘西土家族苗族自治州, which is in 湖南省). Short forms are derived from the names: 四川省 → 四川,
广西壮族自治区 → 广西, 黔东南苗族侗族自治州 → 黔东南 and 黔东南州, 和田地区 → 和田, 长葛市 → 长葛.

In running text (a question, a title) full names count at every level, short forms only for
provinces and prefectures (a county's short form, 古丈, is often a word: the reports' own places
add theirs, :class:`~retrieval.lang.coverage.Coverage`). A name the data does not know but shaped
like one where a report names its office (XX县教育局) counts as that report's place
(:func:`office_places`); 来自市 in 数据来自市教育局 does not, being no division and not in a title.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROVINCE, PREFECTURE, COUNTY = 1, 2, 3

# Rows of the data that are no place (a prefecture's "市辖区", a province's directly
# administered counties).
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
# Full names that are also ordinary words (城区 in 城区学校); never read in running text.
_GENERIC = frozenset("城区 郊区 矿区 东区 西区 新区 市中区 新城区 老城区 城中区 城东区 城西区 城南区 城北区".split())
# Short forms of prefectures that are ordinary words (安康 in 幸福安康, 朝阳 in 朝阳产业, 兴安 in
# 振兴安徽); their full names still count.
_COMMON_WORDS = frozenset("来宾 安康 大同 长治 玉树 阿里 兴安 白银 朝阳 日照 三明".split())
_SUFFIX = re.compile(r"(?:特别行政区|自治区|自治州|自治县|自治旗|地区|林区|省|市|县|区|州|盟|旗)$")
# A name and an administrative suffix (what a place name looks like when the data lacks it).
SUFFIXES = "省市县区州"
_SHAPED = re.compile(rf"(?:[A-Za-z]{{2}}|[\u4e00-\u9fff]{{2,3}}?)[{SUFFIXES}]")
# The same in running text (a message), where letters are already lower case: up to four characters.
_SHAPED_IN_TEXT = re.compile(rf"[\u4e00-\u9fffa-z]{{2,4}}?[{SUFFIXES}]")
# Where a report's own name for itself starts: the start, after a year or a separator (2024_XX县).
_NAME_START = re.compile(r"(?:^|(?<=年)|(?<![\u4e00-\u9fff]))")
# A report's own office right after its place: XX县教育体育局, 某某县人民政府, 南京市统计局.
_OFFICE = re.compile(
    r"(?:人民政府|人民代表大会|人大|政府|[^\s，。、；：:（）()《》“”]{0,8}?(?:局|委员会|委|办公室|办|厅))"
)
# The longest opening line read for a report's office (as long as a heading label may be).
_OFFICE_LINE = 30
# First characters that make "<x>县/市" a common word (全县, 各市, 本区, 我市, 该县, 来自市 …).
_NOT_A_NAME = re.compile(r"^[各全本我该此每省市县区州城那这其来自委局年月日的在和与对向从及并並或而但]|^以及|^.?[级属]")
# Words by which a question names the whole country (2023年全国城镇新增就业, 我国农民工总量):
# when it names no division, the reports about none (national ones) are the ones about it.
NATION_WORDS = ("全国", "我国", "全中国")


@dataclass(frozen=True)
class Place:
    """One place: its full name, its code and level, and the code of the division it is in."""

    name: str
    code: str = ""  # six digits; "" for a name the data does not know (XX县)
    level: int = COUNTY
    parent: str = ""  # "" at the top, or when unknown

    @property
    def key(self) -> str:
        return self.code or self.name


@dataclass(frozen=True)
class Mention:
    """Where a text names a place, and the places the name may stand for (most likely first)."""

    start: int
    end: int
    text: str
    places: tuple[Place, ...]


def _level(code: str) -> int:
    return PROVINCE if code.endswith("0000") else PREFECTURE if code.endswith("00") else COUNTY


class Gazetteer:
    """The divisions by code and by every name a text may use for them."""

    def __init__(self, rows: Iterable[tuple[str, str]], nations: Iterable[str] = ()):
        self._ethnic = _ethnic_pattern(nations)
        named = {code[:6]: name.strip() for code, name in rows if name.strip() not in _PLACEHOLDERS}
        self.by_code: dict[str, Place] = {}
        for code, name in sorted(named.items()):
            level = _level(code)
            province = code[:2] + "0000"
            if level == PREFECTURE and named.get(province) == name:
                continue  # a municipality listed again as its own prefecture (重庆市)
            parent = (
                ""
                if level == PROVINCE
                else (code[:4] + "00" if level == COUNTY and code[:4] + "00" in named else province)
            )
            self.by_code[code] = Place(name, code, level, parent)
        self._short = {code: self._short_forms(place) for code, place in self.by_code.items()}
        self._strong: dict[str, list[Place]] = {}  # names read in running text
        self._weak: dict[str, list[Place]] = {}  # short forms of counties, read only when asked
        for place in self.by_code.values():
            if (place.name not in _GENERIC and len(place.name) >= 3) or place.level < COUNTY:
                self._strong.setdefault(place.name, []).append(place)
            else:
                self._weak.setdefault(place.name, []).append(place)
            for form in self.short_forms(place):
                usable = place.level < COUNTY and form not in _COMMON_WORDS
                (self._strong if usable else self._weak).setdefault(form, []).append(place)
        for table in (self._strong, self._weak):
            for places in table.values():
                places.sort(key=lambda p: p.level)
        self._longest = max(map(len, self._strong), default=1)

    def short_forms(self, place: Place) -> tuple[str, ...]:
        """The names a text may use for ``place`` besides its full name (四川, 黔东南, 黔东南州)."""
        return self._short.get(place.code, ()) if place.code else ()

    def _short_forms(self, place: Place) -> tuple[str, ...]:
        m = _SUFFIX.search(place.name)
        if not m:
            return ()
        suffix, stem = m.group(), place.name[: m.start()]
        if suffix.startswith("自治"):
            while (cut := self._ethnic.search(stem)) and cut.start() >= 2:
                stem = stem[: cut.start()]
        forms = [stem] if len(stem) >= 2 else []
        extra = {"自治州": "州", "自治县": "县", "自治旗": "旗", "自治区": "自治区"}.get(suffix)
        if extra and len(stem) >= 2:
            forms.append(stem + extra)
        return tuple(f for f in forms if f != place.name)

    def forms(self, place: Place) -> tuple[str, ...]:
        """Every name of ``place``, the full one first (an unknown place has only its own)."""
        return (place.name, *self.short_forms(place))

    def named(self, name: str, *, weak: bool = True) -> tuple[Place, ...]:
        """The places ``name`` may stand for (full names first, then provinces before prefectures)."""
        found = self._strong.get(name, []) + (self._weak.get(name, []) if weak else [])
        return tuple(sorted(dict.fromkeys(found), key=lambda p: (p.name != name, p.level)))

    def parent(self, place: Place) -> Place | None:
        return self.by_code.get(place.parent) if place.parent else None

    def ancestors(self, place: Place) -> tuple[Place, ...]:
        """The divisions ``place`` is in, nearest first (古丈县 → 湘西州, 湖南省)."""
        out = []
        up = self.parent(place)
        while up is not None:
            out.append(up)
            up = self.parent(up)
        return tuple(out)

    def contains(self, outer: Place, inner: Place) -> bool:
        """Whether ``inner`` lies within ``outer`` (a place does not contain itself)."""
        return any(a.key == outer.key for a in self.ancestors(inner))

    def label(self, place: Place) -> str:
        """How a message names ``place``: its name, with its parent's when the name is not unique
        (上海市普陀区, 古丈县)."""
        if len(self.named(place.name)) > 1 and (up := self.parent(place)) is not None:
            return up.name + place.name
        return place.name

    def mentions(
        self, text: str, extra: Mapping[str, tuple[Place, ...]] | None = None, extra_longest: int | None = None
    ) -> list[Mention]:
        """The place names in ``text``, longest first at each position, left to right; ``extra``
        adds names (a report's own county's short form) to those of running text, the longest
        ``extra_longest`` characters long (worked out here when not given)."""
        extra = extra or {}
        if extra_longest is None:
            extra_longest = max(map(len, extra), default=0)
        longest = max(self._longest, extra_longest)
        out: list[Mention] = []
        i = 0
        while i < len(text):
            for size in range(min(longest, len(text) - i), 1, -1):
                piece = text[i : i + size]
                places = extra.get(piece, ()) + tuple(self._strong.get(piece, ()))
                if places:
                    out.append(Mention(i, i + size, piece, tuple(dict.fromkeys(places))))
                    i += size
                    break
            else:
                i += 1
        return out

    def resolve(self, mentions: list[Mention]) -> list[Place]:
        """One place per mention, read in context (上海市普陀区 → the 普陀区 in 上海市), without the
        places that only locate another one named (长葛 in 河南省 → 长葛市)."""
        named = [m.places for m in mentions]
        chosen: list[Place] = []
        for places in named:
            others = [p for group in named if group is not places for p in group]
            inside = [p for p in places if any(self.contains(o, p) for o in others)]
            chosen.append((inside or list(places))[0])
        return innermost(self, chosen)


def innermost(gaz: Gazetteer, places: Iterable[Place]) -> list[Place]:
    """``places`` without repeats and without those that contain another of them."""
    unique = list({p.key: p for p in places}.values())
    return [p for p in unique if not any(gaz.contains(p, q) for q in unique if q is not p)]


def office_places(text: str) -> list[str]:
    """Names shaped like a place right before an office (XX县教育体育局 → XX县), which the data
    need not know; not common words (全县, 来自市)."""
    out = []
    for start in _NAME_START.finditer(text):
        m = _SHAPED.match(text, start.start())
        if m and _OFFICE.match(text, m.end()) and not _NOT_A_NAME.search(m.group()):
            out.append(m.group())
    return list(dict.fromkeys(out))


def names_nation(norm: str) -> bool:
    """Whether a normalised question names the whole country (a word of :data:`NATION_WORDS`)."""
    return any(w in norm for w in NATION_WORDS)


def shaped_in(text: str) -> tuple[int, int] | None:
    """(start, end) of the first name in ``text`` shaped like a place (那凤凰县呢 → 凤凰县), which
    the data need not know; None if there is none."""
    for m in _SHAPED_IN_TEXT.finditer(text):
        if not _NOT_A_NAME.search(m.group()):
            return m.start(), m.end()
    return None


def shaped_like_place(word: str) -> bool:
    """A word of two or three characters (or two letters) and an administrative suffix (凤凰县,
    XX县), not a common word such as 全县 or 各市."""
    return bool(_SHAPED.fullmatch(word)) and not _NOT_A_NAME.search(word)


def _ethnic_pattern(nations: Iterable[str]) -> re.Pattern[str]:
    """A nationality at the end of a name (苗族, 土家族, 哈萨克, 蒙古族): one-character names only
    with 族, longer ones with or without it."""
    names = sorted({n.strip().removesuffix("族") for n in nations if n.strip()}, key=len, reverse=True)
    longer = "|".join(re.escape(n) for n in names if len(n) > 1) or "(?!)"
    single = "".join(n for n in names if len(n) == 1) or "(?!)"
    return re.compile(rf"(?:(?:{longer})族?|[{single}]族)$")


def _data_dir() -> Path:
    # Located without importing cpca: importing it builds its own matcher with pandas.
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.origin:
        raise RuntimeError("缺少行政区划数据（Python 包 cpca），请重新安装 ReportQA")
    return Path(spec.origin).parent / "resources"


def read_divisions(folder: Path) -> Gazetteer:
    """The gazetteer of cpca's ``adcodes.csv`` and ``56_nations.csv`` in ``folder``."""
    with open(folder / "adcodes.csv", encoding="utf-8", newline="") as fh:
        rows = [(r["adcode"], r["name"]) for r in csv.DictReader(fh)]
    nations = (folder / "56_nations.csv").read_text(encoding="utf-8").split()
    return Gazetteer(rows, nations)


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    return read_divisions(_data_dir())


class Coverage:
    """The places a set of reports is about (each report's innermost places, from its labels:
    古丈县, 上海市普陀区, XX县) and how a question's places relate to them. Names are matched in
    normalised text; the reports' own places add their short forms (古丈, XX)."""

    def __init__(self, gaz: Gazetteer, doc_labels: Iterable[Iterable[str]]):
        self.gaz = gaz
        self.docs: list[tuple[Place, ...]] = [tuple(self.place_of(label) for label in labels) for labels in doc_labels]
        self.extra: dict[str, tuple[Place, ...]] = {}
        self.doc_forms: list[set[str]] = []
        for places in self.docs:
            forms: set[str] = set()
            for place in places:
                for form in self.names(place):
                    self.extra[form] = tuple(dict.fromkeys(self.extra.get(form, ()) + (place,)))
                    forms.add(form)
            self.doc_forms.append(forms)
        self._extra_longest = max(map(len, self.extra), default=0)  # kept once, for every question
        self.keys = [{p.key for p in places} for places in self.docs]
        self._about = set().union(*self.keys) if self.keys else set()
        # The reports' places and every division they lie in.
        self._around = self._about | {a.key for places in self.docs for p in places for a in gaz.ancestors(p)}
        # Whether every report has its place, so that a place none is about is not in the reports.
        self.complete = bool(self.docs) and all(self.docs)
        flags = [not places for places in self.docs]
        self._national = flags if any(flags) and not all(flags) else None

    def place_of(self, label: str) -> Place:
        """The place a report's label names (古丈县, 上海市普陀区), or an unknown one (XX县)."""
        found = self.gaz.named(label)
        if found:
            return found[0]
        mentions = self.gaz.mentions(label)
        resolved = self.gaz.resolve(mentions)
        if len(resolved) == 1 and "".join(m.text for m in mentions) == label:
            return resolved[0]
        return Place(label)

    def asked(self, norm: str, shaped: Iterable[str] = ()) -> tuple[Place, ...]:
        """The places a normalised question is about: the names in it (the reports' own short
        forms too) and ``shaped`` words the data does not know (XX县), read in context, without
        those that only locate another (长葛 in 河南省)."""
        mentions = self.gaz.mentions(norm, self.extra, self._extra_longest)
        covered = [(m.start, m.end) for m in mentions]
        mentions = [Mention(m.start, m.end, m.text, self._covered_first(m.places)) for m in mentions]
        places = self.gaz.resolve(mentions)
        for word in shaped:
            at = norm.find(word)
            if at >= 0 and not any(s <= at < e for s, e in covered) and not self.gaz.named(word):
                places.append(Place(word))
        return tuple(innermost(self.gaz, places))

    def _covered_first(self, places: tuple[Place, ...]) -> tuple[Place, ...]:
        return tuple(sorted(places, key=lambda p: p.key not in self._about))

    def about(self, place: Place) -> list[bool]:
        """Per report: whether it is about ``place`` itself."""
        return [place.key in keys for keys in self.keys]

    def national(self) -> list[bool] | None:
        """Per report: whether it is about no division (a national report); None unless some
        reports are and some are not, so that the nation tells them apart."""
        return self._national

    def related(self, place: Place) -> bool:
        """Whether some report is about ``place``, a place within it, or one containing it."""
        return place.key in self._around or any(a.key in self._about for a in self.gaz.ancestors(place))

    def names(self, place: Place) -> tuple[str, ...]:
        """Every name a passage may use for ``place``."""
        return self.gaz.forms(place) if place.code else _unknown_forms(place.name)


def _unknown_forms(name: str) -> tuple[str, ...]:
    """A name the data does not know and its short form (xx县, xx)."""
    return (name, name[:-1]) if len(name) >= 3 and name[-1] in SUFFIXES else (name,)


def report_places(title: str, file_stem: str, opening: Iterable[str]) -> tuple[str, ...]:
    """What a report is about, as labels (古丈县, 上海市普陀区, XX县): the places its title names,
    else its file name, else its opening lines where they name an office (南京市统计局); the
    innermost of them (普陀区 rather than 上海市). A national report names none."""
    gaz = default_gazetteer()
    # An opening line names its office as a heading does (南京市统计局); a longer one is body text.
    lines = [line.strip() for line in opening]
    scopes = [(title, False), (file_stem, False)] + [(line, True) for line in lines if len(line) <= _OFFICE_LINE]
    for text, office_only in scopes:
        mentions = [m for m in gaz.mentions(text) if not office_only or _OFFICE.match(text, m.end)]
        places = gaz.resolve(mentions)
        known = {n for p in places for n in gaz.forms(p)}
        places += [Place(name) for name in office_places(text) if name not in known and not gaz.named(name)]
        if places:
            return tuple(dict.fromkeys(gaz.label(p) for p in innermost(gaz, places)))
    return ()
