"""The police-domain layer: ranks, titles, organisations, places, dates and people, found
by rules that know how Vietnamese police news writes them.

Names are built from parts, as the papers build them: a unit head and its name ("Phòng
Cảnh sát hình sự"), a head and a place ("Công an" + "xã Tân Lập"), a unit and its parent
("Phòng ..." + "Công an tỉnh Y"), a role and its organisation ("Giám đốc" + "Công an
tỉnh"). Each built mention keeps its parts as children: the nested entities.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from crawler.nlp import lexicon
from crawler.nlp.gazetteer import place_alternatives, places
from crawler.scan import compile_scanning

_UPPER = "A-Z" + "".join(c for c in map(chr, range(0xC0, 0x1EFA)) if c.isupper())
_LOWER = "a-z" + "".join(c for c in map(chr, range(0xC0, 0x1EFA)) if c.islower())
_CAP = (
    rf"[{_UPPER}][{_LOWER}]*(?:['’][{_UPPER}{_LOWER}][{_LOWER}]*|-[{_LOWER}]+)*"  # H'Mông, Hang-seo
)
_ABBR = rf"[{_UPPER}](?:[{_UPPER}0-9]|[&-][{_UPPER}])+"  # CSGT, PC02, C46, PCCC&CNCH, CSGT-TT
_NUM = r"[0-9]+[A-Za-z]?(?:/[0-9]+)?"  # quận 6, quốc lộ 1A, đường 30/4
_B, _E = r"(?<![\w])", r"(?![\w])"


def _any_case(phrase: str) -> str:
    """A phrase whose words may start with either case ("Phó cục trưởng")."""
    words = []
    for word in phrase.split(" "):
        first, rest = word[0], re.escape(word[1:])
        cased = {first.upper(), first.lower()}
        words.append(f"[{''.join(sorted(cased))}]{rest}" if len(cased) > 1 else first + rest)
    return " ".join(words)


def _alternatives(phrases: tuple[str, ...] | list[str], any_case: bool = False) -> str:
    ordered = sorted(set(phrases), key=len, reverse=True)
    return "|".join(_any_case(p) if any_case else re.escape(p) for p in ordered)


_RANK = _alternatives(lexicon.RANKS, any_case=True)
_VOCAB = _alternatives(lexicon.UNIT_WORDS, any_case=True)
_FIXED = _alternatives(lexicon.FIXED_ORGS)
_PLACE_HEADS = _alternatives(lexicon.PLACE_HEADS)
_UNIT_HEADS = _alternatives(lexicon.UNIT_HEADS)
_NAMED_HEADS = _alternatives(lexicon.NAMED_HEADS)
# Where a unit's own name stops: the head of its parent, a rank, a role.
_ORG_START = rf"(?![Pp]hòng,? chống)(?:{_FIXED}|{_PLACE_HEADS}|{_NAMED_HEADS}|{_RANK}|Đồng chí){_E}"
_PAREN_ABBR = rf"\({_ABBR}\)"
_CONNECTOR = _alternatives(lexicon.UNIT_CONNECTORS)
_CAPITALISED = _alternatives(lexicon.CAPITALISED_UNIT_WORDS)
# Words that go on the sentence, never a name ("Hà Nội và ...", "Bạch Mai tiếp nhận").
_STOP = "(?:" + "|".join(lexicon.SENTENCE_WORDS) + ")"
_DESC_WORD = (
    rf"(?:(?:{_VOCAB}|{_CAPITALISED}){_E}"
    rf"|(?:{_CONNECTOR})(?=(?: |, | và )(?:{_VOCAB}|{_CONNECTOR}){_E})"
    rf"|(?!{_ORG_START}){_CAP}(?: (?!{_STOP}{_E})[{_LOWER}]+"
    rf"(?: (?!{_STOP}{_E})[{_LOWER}]+(?= [{_UPPER}]|[,.;:)]|$))?)?|{_ABBR}"
    rf"|số [0-9]+{_E}|[0-9]+{_E}|[IVX]+{_E})"
)
_DESC_NEXT = rf"(?:(?:{_VOCAB}|{_CONNECTOR}){_E})"
# Between words of a name: a space, a comma or "và" before more of the name, "&", or a
# parenthesised abbreviation ("Phòng Cảnh sát Cơ động (CSCĐ) Công an tỉnh ...").
_DESC_SEP = (
    rf"(?: |, (?={_DESC_NEXT})| và (?={_DESC_NEXT}|{_ABBR})| ?& ?| {_PAREN_ABBR} (?={_DESC_WORD}))"
)
_DESC = rf"{_DESC_WORD}(?:{_DESC_SEP}{_DESC_WORD})*"
_ADMIN = _alternatives([*lexicon.ADMIN_TYPES, "tp"], any_case=True)
_ADMIN_ABBR = _alternatives(lexicon.ADMIN_ABBREVIATIONS)
_MAJOR_ADMIN = (
    _alternatives(["tỉnh", "thành phố", "huyện", "quận", "thị xã"], any_case=True)
    + "|TP\\.|TP|Tp\\.|TX\\.|H\\.|Q\\."
)
_MINOR_ADMIN = _alternatives(["xã", "phường", "thị trấn", "đặc khu"], any_case=True) + "|P\\.|TT\\."
# A lowercase head ("cơ quan Cảnh sát điều tra") needs a capitalised name after it.
_LOWER_HEADS = "cơ quan|phòng|cục|đội|trại giam|văn phòng|ban|tập đoàn|công ty|hãng|ngân hàng"
_COUNTRY = _alternatives(lexicon.COUNTRIES)
# Teams ("U23 Việt Nam", "đội tuyển Hàn Quốc", "CLB Hà Nội") and companies written the way
# brands are ("VinFast", "VietinBank", "Vietnam Airlines").
_TEAM = (
    r"(?:U-?[0-9]{2}|ĐTQG|ĐT|[Đđ]ội tuyển(?: bóng đá)?(?: nam| nữ)?(?: U-?[0-9]{2})?"
    rf"(?: quốc gia)?|[Tt]uyển|CLB|Câu lạc bộ) (?:{_COUNTRY}|{_CAP}(?: {_CAP}){{0,3}}|{_ABBR})"
)
_COMPANY = (
    r"[A-Z][a-z]+[A-Z][A-Za-z]*|(?:[A-Z][A-Za-z]+ )+(?:Airlines|Airways|Group|Bank|Motors?"
    r"|Electronics|Holdings|Corporation|Corp|Inc|Ltd|Pharma|Technologies|Technology|Capital)"
)
_CODE = r"(?:C|PC|PA|PK|PV|PH|PX|PE|A|K|V|X|H|T)[0-9]{2}"

_ORG_SEGMENT = (
    rf"{_B}(?:(?P<fixed>{_FIXED})"
    rf"|(?P<place_head>(?:{_PLACE_HEADS}|công an|ủy ban nhân dân)(?: {_PAREN_ABBR})?"
    rf"(?: cấp cao tại)?)(?= (?:{_ADMIN}|{_ADMIN_ABBR}|[{_UPPER}]))"
    rf"|(?P<unit_head>{_UNIT_HEADS})(?= {_ORG_START})"
    rf"|(?P<named>(?:{_NAMED_HEADS})(?: {_PAREN_ABBR})? {_DESC})"
    rf"|(?<![Vv]ăn )(?P<lowered>(?:{_LOWER_HEADS}) (?!{_ORG_START})(?=[{_UPPER}]){_DESC})"
    rf"|(?P<code>{_CODE})|(?P<team>{_TEAM})|(?P<company>{_COMPANY})"
    rf"){_E}"
)

_TITLE_HEAD = _alternatives(lexicon.TITLE_HEADS, any_case=True)
_TITLE_WITH_NAME = _alternatives(
    ("Trưởng phòng", "Phó Trưởng phòng", "Trưởng ban", "Phó Trưởng ban", "Đội trưởng",
     "Phó Đội trưởng", "Chánh Văn phòng", "Phó Chánh Văn phòng"), any_case=True,
)  # fmt: skip
_TITLE_SEGMENT = (
    rf"{_B}(?:(?P<unit_title>(?:{_TITLE_WITH_NAME})(?! {_ORG_START}) {_DESC})"
    rf"|(?P<title>(?:{_TITLE_HEAD})(?: [Tt]hường trực)?)){_E}"
)

_NOT_PLACE_WORD = rf"(?!(?:{_RANK}|Công an|Đồng chí|Theo|Ông|Bà|Quốc lộ|Tỉnh lộ){_E})"
# A person's name after a place ("UBND tỉnh Đồng Nai Cao Tiến Dũng") is not part of it.
_NOT_NAME_START = rf"(?!(?:{_alternatives(lexicon.COMMON_SURNAMES)})(?: {_CAP}){{2}})"
# A lowercase syllable inside a name, before more of it ("đường Ngũ hành Sơn").
_INNER_LOWER = rf"(?: (?!{_STOP}{_E})[{_LOWER}]+(?= [{_UPPER}]))?"
_PLACE_NAME = (
    rf"(?:{_NOT_PLACE_WORD}{_CAP}{_INNER_LOWER})"
    rf"(?: {_NOT_PLACE_WORD}{_NOT_NAME_START}{_CAP}{_INNER_LOWER}){{0,4}}"
    rf"(?: {_NUM}{_E})?"
    rf"|{_NUM}{_E}|HCM{_E}|{_ABBR} {_NUM}{_E}"
)
# Lowercase only: capitalised, these start names ("Hồ Chí Minh", "Cầu Giấy", "Bản Phố").
_LOWER_ONLY = {"hồ", "cầu", "bản", "ga", "biển", "làng", "kênh", "cảng", "núi", "đảo"}
_OTHER_TYPES = "|".join(
    re.escape(t) if t in _LOWER_ONLY else _any_case(t)
    for t in sorted(lexicon.PLACE_TYPES, key=len, reverse=True)
)
_OTHER_ABBR = _alternatives(
    [t for t in lexicon.ABBREVIATED_TYPES if t not in lexicon.ADMIN_ABBREVIATIONS]
)


@cache
def place_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Typed places ("xã Tân Lập", "TP.HCM"), lists after a plural type word ("các xã A,
    B và C"), and bare names (provinces, districts, countries)."""
    known = rf"(?:{place_alternatives()}|{_alternatives(list(lexicon.PLACE_ALIASES))}){_E}"
    typed = (
        rf"{_B}(?P<major>{_MAJOR_ADMIN})(?:(?<=\.) ?| )(?P<known>{known})"
        rf"|{_B}(?:(?P<admin>(?P<big>{_MAJOR_ADMIN})|{_MINOR_ADMIN})"
        rf"|(?P<other>{_OTHER_TYPES}|{_OTHER_ABBR}))"
        rf"(?:(?<=\.) ?| )(?(big){_NOT_NAME_START})(?P<name>{_PLACE_NAME})(?!\w)"
        rf"|{_B}(?P<glued>TPHCM|TP\.HCM){_E}"
        rf"|{_B}(?P<level>{_ADMIN}|{_ADMIN_ABBR})(?= |$|[,.;:)]){_E}"
    )
    name = rf"{_NOT_PLACE_WORD}{_CAP}(?: {_CAP}){{0,3}}(?: {_NUM})?"
    listed = (
        rf"{_B}(?:các|hai|ba|bốn|năm|[0-9]+) (?:{_ADMIN}|{_OTHER_TYPES}) \(?"
        rf"(?P<names>{name}(?:(?:, | và | với ){name})+)"
    )
    countries = _alternatives([*lexicon.COUNTRIES, *lexicon.PLACE_ALIASES])
    bare = rf"{_B}(?:{place_alternatives()}|{countries}){_E}"
    return compile_scanning(typed), compile_scanning(listed), compile_scanning(bare)


@cache
def org_and_title_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    return compile_scanning(_ORG_SEGMENT), compile_scanning(_TITLE_SEGMENT)


RANK = compile_scanning(rf"{_B}(?:{_RANK}){_E}")
_NAME = rf"{_CAP}(?: {_CAP}){{1,3}}"
_CUES = _alternatives(lexicon.PERSON_CUES)
NAME_AFTER = compile_scanning(
    rf"(?:{_B}(?:{_RANK}|{_CUES}) )(?!{_ORG_START})(?P<name>{_NAME})(?!\w)"
)
SURNAME_NAME = compile_scanning(
    rf"{_B}(?:{_alternatives(sorted(lexicon.SURNAMES))})(?: {_CAP}){{1,3}}(?!\w|\.[{_UPPER}])"
)
MIDDLE_NAME = compile_scanning(rf"{_B}{_CAP} (?:Thị|Văn) {_CAP}(?: {_CAP})?(?!\w)")
ADDRESS = compile_scanning(
    rf"(?<![\w/])(?:số )?[0-9]+[A-Za-z]?(?:/[0-9]+[A-Za-z]?)* "
    rf"(?P<name>{_CAP}(?: {_CAP}){{1,3}})(?=,| \()"
)
_HONORIFIC = "(?:Ông|Bà|Anh|Chị|Em|Cháu|Cô|Thầy|Đồng chí|Đối tượng|Bị can|Nạn nhân)"
# A name followed by a birth year or an age is a person's ("Chen Haiyang (sinh năm 1987)").
NAME_BEFORE_AGE = compile_scanning(
    rf"{_B}(?!{_HONORIFIC}{_E})(?P<name>{_CAP}(?: {_CAP}){{1,3}}),?"
    r" \((?:sinh năm|SN|sinh|[0-9]+ tuổi)"
)
JUNCTION = re.compile(rf" ?[-–] ?(?P<name>{_CAP}(?: {_CAP}){{0,3}})(?!\w)")
CREDIT = compile_scanning(
    r"\(?(?:[Ảả]nh(?: minh họa| minh hoạ)?|Tin|Tin, ảnh|Tin và ảnh|Bài, ảnh|Bài và ảnh|Nguồn"
    r"|Clip|Video)\s?:\s?[^.,;:()\n]{1,60}\.?\)?"
)
# Dates are written in ASCII digits ([0-9], not \d): a match starts with one of a few
# known characters, which lets the scan skip the rest of the text (crawler.scan).
DATE = compile_scanning(
    r"(?<!\w)(?:(?:[Ss]áng|[Cc]hiều|[Tt]rưa|[Tt]ối|[Đđ]êm|[Rr]ạng sáng|[Nn]gày|[Hh]ôm) )?"
    r"(?:[0-9]{1,2}(?:[-/.][0-9]{1,2}(?:[-/.][0-9]{4})?| tháng [0-9]{1,2}(?: năm [0-9]{4})?))(?!\w)"
    r"|(?<!\w)(?:tháng [0-9]{1,2}(?:[-/]| năm )[0-9]{4}|năm [0-9]{4})(?!\w)"
)


@dataclass
class Mention:
    text: str
    type: str
    start: int
    end: int
    attrs: dict[str, Any] = field(default_factory=dict)
    children: list[Mention] = field(default_factory=list)
    role: str = ""  # how the rules found it: "head", "level", "bare_title", "masked"...
    canonical: str = ""  # a place's name as filed, without its type word
    inside: int | None = None  # a nested mention: the index of the one that holds it

    def overlaps(self, other: Mention) -> bool:
        return self.start < other.end and other.start < self.end

    def covers(self, other: Mention) -> bool:
        return self.start <= other.start and other.end <= self.end


def _span(text: str, kind: str, start: int, end: int, role: str = "", **attrs: str) -> Mention:
    return Mention(text[start:end], kind, start, end, dict(attrs), role=role)


_GLUED = re.compile(r"^(?:TP\.? ?|TPHCM)")


def canonical_place(name: str) -> str:
    """A place as filed: "HCM", "TP.HCM" and "TPHCM" are Hồ Chí Minh, "Thừa Thiên Huế" is
    Huế (the gazetteer's name)."""
    if name in ("HCM", "TPHCM", "TP.HCM") or _GLUED.sub("", name) == "HCM":
        return "Hồ Chí Minh"
    return lexicon.PLACE_ALIASES.get(name, name)


def _place(text: str, start: int, end: int, name_start: int, role: str = "") -> Mention:
    name = canonical_place(text[name_start:end])
    place = places().get(name)
    attrs = {}
    if place:
        attrs = {"province": place.province, "province_current": place.province_current}
    mention = _span(text, "LOC", start, end, role, **attrs)
    mention.canonical = name
    if name_start > start:  # the name inside the typed place, for a unit that holds it
        inner = _span(text, "LOC", name_start, end, "name", **attrs)
        inner.canonical = name
        mention.children = [inner]
    return mention


def _places(text: str) -> list[Mention]:
    typed, listed, bare = place_patterns()
    found: list[Mention] = []
    lists = [m.span() for m in listed.finditer(text)]
    for match in typed.finditer(text):
        if any(start <= match.start() < end for start, end in lists):
            continue  # "các huyện Tây Hòa, Sông Hinh": each name bare
        if match.group("level"):
            found.append(_span(text, "LOC", *match.span(), role="level"))
            continue
        if match.group("glued"):
            found.append(_place(text, *match.span(), match.start(), role="admin"))
            continue
        role = "typed" if match.group("other") else "admin"
        name_start = match.start("known") if match.group("known") else match.start("name")
        place = _place(text, match.start(), match.end(), name_start, role)
        found.append(place)
        junction = JUNCTION.match(text, match.end())
        if match.group("other") and junction:  # "đường Hoàng Văn Thụ-Hùng Vương"
            found.append(_place(text, *junction.span("name"), junction.start("name")))
    for match in listed.finditer(text):
        offset = match.start("names")
        for part in re.finditer(rf"{_CAP}(?: {_CAP}){{0,3}}(?: {_NUM})?", match.group("names")):
            start, end = offset + part.start(), offset + part.end()
            found.append(_place(text, start, end, start, role="listed"))
    for match in bare.finditer(text):
        if " " not in match.group() and _between_names(text, *match.span()):
            continue  # "Đức", "Mỹ", "Nga" inside a person's or a place's name
        found.append(_place(text, *match.span(), match.start(), role="bare"))
    for match in ADDRESS.finditer(text):
        found.append(_place(text, *match.span("name"), match.start("name"), role="address"))
    return found


_CAP_WORD = re.compile(_CAP)


def _between_names(text: str, start: int, end: int) -> bool:
    near = text[max(0, start - 40) : start]  # the word before: never the whole text before
    before = near.rstrip(" ").rsplit(" ", 1)[-1] if near.endswith(" ") else ""
    after = _CAP_WORD.match(text, end + 1) if text[end : end + 1] == " " else None
    return bool(after) or bool(before) and before[:1].isupper() and before[-1:].isalpha()


def _org_segments(text: str) -> list[Mention]:
    org, _ = org_and_title_patterns()
    segments = []
    for match in org.finditer(text):
        role = match.lastgroup or ""
        start, end = match.span()
        if role == "lowered" and _GENERIC.search(text[max(0, start - 12) : start]):
            start = _LOWER_HEAD.match(text, start).end()  # "các cơ quan | Khối Nội chính"
        segments.append(_span(text, "ORG", start, end, role=role))
    return segments


_LOWER_HEAD = re.compile(rf"(?:{_LOWER_HEADS}) ")
_GENERIC = re.compile(r"(?i)(?:chức danh|lực lượng|các|những|mỗi|từng|[0-9]+|làm|là) $")
_PARTY_COMMITTEES = frozenset({"Tỉnh ủy", "Thành ủy", "Huyện ủy", "Quận ủy", "Thị ủy"})
# The most parts one name is built of ("Văn phòng | Cơ quan CSĐT | Công an | tỉnh X");
# a run of names with nothing between them is cut there, not built without end.
_LONGEST_CHAIN = 6
_GAP_ABBR = re.compile(rf" {_PAREN_ABBR} ")


def _compose(text: str, segments: list[Mention], place_list: list[Mention]) -> list[Mention]:
    """Organisations built from adjacent segments: a head and its place, a unit and its
    parent. A chain needs no punctuation between its parts."""
    starting = {s.start: s for s in segments}
    for segment in segments:  # "... Cơ động (CSCĐ) Công an tỉnh": the part after it
        gap = _GAP_ABBR.match(text, segment.end)
        if gap and gap.end() in starting:
            starting[segment.end + 1] = starting[gap.end()]
    admin_places = {p.start: p for p in place_list if p.role in ("admin", "level", "bare")}
    built: list[Mention] = []
    used: set[int] = set()
    for segment in segments:
        if segment.start in used:
            continue
        chain = [segment]
        while text[chain[-1].end : chain[-1].end + 1] == " " and len(chain) < _LONGEST_CHAIN:
            after = chain[-1].end + 1
            if after in starting:
                chain.append(starting[after])
                used.add(chain[-1].start)
                continue
            place = admin_places.get(after)
            last = chain[-1]
            takes_bare = last.role == "place_head" or last.text in _PARTY_COMMITTEES
            if place and (place.role != "bare" or takes_bare) and last.role != "code":
                if place.role == "bare" and place.canonical not in places():
                    break  # a country after a unit is not its place
                chain.append(place)
            break
        mention = _build(text, chain)
        if mention is not None:
            built.append(mention)
    return built


def _build(text: str, chain: list[Mention]) -> Mention | None:
    """The organisation a chain of segments names, its parts nested; None when the chain
    ends on a head that needs more ("Công an" alone, "Ban Chỉ huy")."""
    while len(chain) > 1 and chain[-1].role in ("place_head", "unit_head"):
        chain = chain[:-1]  # a head with nothing after it is not part of the name
    if chain[-1].role in ("place_head", "unit_head"):
        return None
    if chain[-1].role == "level" and _GENERIC.search(
        text[max(0, chain[0].start - 12) : chain[0].start]
    ):
        return None  # "các chức danh Công an xã", "lực lượng Công an xã": no one unit
    if len(chain) == 1:
        return chain[0] if chain[0].role != "level" else None
    mention = _span(text, "ORG", chain[0].start, chain[-1].end, role="built")
    first, rest = chain[0], chain[1:]
    if first.role not in ("place_head", "unit_head"):
        mention.children.append(first)
    if len(rest) == 1:
        part = rest[0]
        if part.type == "LOC":
            mention.children += part.children or ([] if part.role == "level" else [part])
        else:
            mention.children.append(part)
    else:
        inner = _build(text, rest)
        if inner is not None:
            mention.children.append(inner)
    return mention


_PLURAL = re.compile(r"(?:(?<!\w)(?:các|những|[0-9]+)|(?<!\w)[Bb]an) $")  # before a title


def descendants(mentions: list[Mention]) -> list[Mention]:
    """Each mention followed by those it holds, depth first."""
    return [m for top in mentions for m in [top, *descendants(top.children)]]


# A state written in full ("nước Cộng hòa xã hội chủ nghĩa Việt Nam") names its country.
_STATE = (
    r"(?:nước )?Cộng hòa(?: [Xx]ã hội [Cc]hủ nghĩa| [Dd]ân chủ [Nn]hân dân| [Nn]hân dân"
    rf"| [Ll]iên bang| [Hh]ồi giáo| [Dd]ân chủ)? (?:{_COUNTRY}|{_CAP}(?: {_CAP}){{0,2}})"
)
_COUNTRY_AT = re.compile(rf"(?:{_STATE}|{_COUNTRY}){_E}")
# Abbreviations of topics and of the force, not of one organisation ("ANTT", "CA").
_TOPICS = frozenset(lexicon.TOPIC_ABBREVIATIONS)
_ABBR_AT = re.compile(rf"{_ABBR}{_E}")
_PARTY_UNIT_AT = re.compile(rf"(?:Đảng ủy|Đảng bộ|Chi bộ){_E}")
_AT_PLACE = re.compile(rf" tại ({_COUNTRY}){_E}")


def _titles(text: str, orgs: list[Mention]) -> list[Mention]:
    _, title = org_and_title_patterns()
    starting: dict[int, Mention] = {}
    for org in descendants(orgs):
        if org.type == "ORG" and org.role not in ("place_head", "unit_head"):
            starting.setdefault(org.start, org)
    found = []
    for match in title.finditer(text):
        start, end = match.span()
        if _PLURAL.search(text[max(0, start - 10) : start]):
            continue  # "các Ủy viên ...", "23 Giám đốc ...": posts, not a role
        org = starting.get(end + 1) if text[end : end + 1] == " " else None
        if match.group("unit_title"):  # "Trưởng | phòng PC02 Công an tỉnh": a longer unit
            inner = starting.get(text.find(" ", start) + 1)
            org = inner if inner is not None and inner.end > end else org
        country = _COUNTRY_AT.match(text, end + 1) if text[end : end + 1] == " " else None
        if org is not None:
            mention = _span(text, "TITLE", start, org.end)
            mention.children = [org]
        elif country is not None:  # "Tổng thống Mỹ", "Đại sứ Pháp tại Việt Nam"
            where = _AT_PLACE.match(text, country.end())
            mention = _span(text, "TITLE", start, where.end() if where else country.end())
            mention.children = [_place(text, *country.span(), country.start(), role="bare")]
            if where:
                mention.children.append(_place(text, *where.span(1), where.start(1), role="bare"))
        elif (abbr := _ABBR_AT.match(text, end + 1)) and abbr.group() not in _TOPICS:
            mention = _span(text, "TITLE", start, abbr.end())  # "Thống đốc NHNN"
            mention.children = [_span(text, "ORG", *abbr.span())]
        elif (party := _PARTY_UNIT_AT.match(text, end + 1)) and text[end : end + 1] == " ":
            mention = _span(text, "TITLE", start, party.end())  # "Bí thư Đảng ủy", not an ORG
        elif match.group("unit_title") or text[start:end] in lexicon.STANDALONE_TITLES:
            mention = _span(text, "TITLE", start, end)
        elif text[start].isupper():
            mention = _span(text, "TITLE", start, end, role="bare_title")
        else:
            continue
        if text[start].islower() and org is not None and not org.children:
            mention.role = "bare_title"  # "trưởng công an xã": a role only beside a person
        found.append(mention)
    return found


_VOWELS = set("aeiouy")


def masked_name(name: str) -> bool:
    """An initialised or placeholder name ("Nguyễn Văn T.", "Trần Văn Tr", "N.T.T.Tr.",
    "Nguyễn Văn A"): not a name."""
    last = name.split()[-1]
    bases = {unicodedata.normalize("NFD", c)[0].lower() for c in last}
    placeholder = len(last) == 1 and last.isascii() and last != "Y"  # "Ý", "Y" are names
    return placeholder or not bases & _VOWELS or "." in name


_LEADING_COUNTRY = re.compile(rf"(?:{_COUNTRY}) (?=[{_UPPER}])")


def _people(text: str) -> list[Mention]:
    found = []
    cued = ((NAME_AFTER, "name"), (NAME_BEFORE_AGE, "name"))
    for pattern, group in (*cued, (SURNAME_NAME, 0), (MIDDLE_NAME, 0)):
        for match in pattern.finditer(text):
            start, end = match.span(group)
            country = _LEADING_COUNTRY.match(text, start, end)
            if country and group == "name":  # "Tổng thống Mỹ Donald Trump"
                start = country.end()
            after = text[end : end + 2]
            masked = masked_name(text[start:end]) or after[:1] == "." and after[1:2].isalpha()
            role = "masked" if masked else "cued" if group == "name" else ""
            found.append(_span(text, "PER", start, end, role=role))
    return found


def _is_date(mention: Mention) -> bool:
    # "2021-2026" or a bare "3-1" is not a date; a day-month needs a context word or year.
    text = mention.text
    return bool(re.search(r"[a-zà-ỹ]", text, re.IGNORECASE)) or text.count("/") == 2


def credit_spans(text: str) -> list[tuple[int, int]]:
    """Where a credit sits inside a paragraph ("Ảnh: Công an tỉnh X", "(Ảnh: Lam Giang)"):
    the names there are authors or sources, not entities of the story."""
    return [m.span() for m in CREDIT.finditer(text)]


def rule_mentions(text: str) -> list[Mention]:
    """Every mention the rules find, overlapping ones included (resolved by the caller);
    organisations and titles with their parts as children."""
    place_list = _places(text)
    orgs = _compose(text, _org_segments(text), place_list)
    mentions = orgs + _titles(text, orgs)
    mentions += [p for p in place_list if p.role != "level"]
    mentions += [_span(text, "RANK", *m.span()) for m in RANK.finditer(text)]
    dates = [_span(text, "DATE", *m.span()) for m in DATE.finditer(text)]
    mentions += [m for m in dates if _is_date(m)]
    mentions += _people(text)
    return mentions
