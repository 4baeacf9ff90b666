"""Entities of a text: the police-domain rules first, underthesea's NER for the rest,
nested entities under the one that holds them, and people linked to their ranks and titles.

The list is flat: outermost mentions in text order, each followed by the mentions inside
it, which carry ``inside`` (the index of the one that holds them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from crawler.nlp import lexicon
from crawler.nlp.domain import (
    Mention,
    canonical_place,
    credit_spans,
    descendants,
    masked_name,
    rule_mentions,
)
from crawler.nlp.ner import ModelSpan, entities_of
from crawler.text import modern_spelling, parse_credit


def _priority(mention: Mention) -> int:
    """On equal length: a role before its organisation, a typed place before a cued name,
    a cued name before a bare place name ("Chủ tịch Hồ Chí Minh"), a place before a name
    found by its surname alone ("Hà Giang")."""
    if mention.type == "PER":
        return 3 if mention.role == "cued" else 7
    if mention.type == "LOC":
        return 4 if mention.role == "bare" else 2
    return {"TITLE": 0, "ORG": 1, "RANK": 5, "DATE": 6}[mention.type]


class _Taken:
    """Which characters of a text mentions cover: an overlap test in the length of the
    mention, not in the number of mentions (a paragraph may hold thousands)."""

    def __init__(self, length: int, spans: Iterable[tuple[int, int]] = ()) -> None:
        self.covered = bytearray(length + 1)
        for start, end in spans:
            self.take(start, end)

    def take(self, start: int, end: int) -> None:
        self.covered[start:end] = b"\x01" * (end - start)

    def free(self, start: int, end: int) -> bool:
        return not any(self.covered[start:end])


def _resolve(candidates: list[Mention], length: int) -> list[Mention]:
    """Non-overlapping mentions: longest first, then by priority."""
    chosen: list[Mention] = []
    taken = _Taken(length)
    for mention in sorted(candidates, key=lambda m: (m.start - m.end, _priority(m))):
        if taken.free(mention.start, mention.end):
            chosen.append(mention)
            taken.take(mention.start, mention.end)
    return sorted(chosen, key=lambda m: m.start)


_UPPER_WORD = re.compile(r"^[A-ZĐ0-9&]+$")


def _plausible(entity: Mention, given_names: bool) -> bool:
    """underthesea's leftovers worth keeping: capitalised, no digits ("COVID-19"), no
    acronym as a person or a place ("GDP", "TTATGT"), no year of the sixty-year cycle ("Bính
    Ngọ"); of one word, a foreign name, or in general news a given name ("chị Lan",
    "Cường ghi bàn"), never a common word ("Cờ", "Toàn") nor a place (those of one word
    come from the gazetteer; underthesea's are storms, cups and apps: "Wipha", "VNeID")."""
    name = entity.text
    if not name[:1].isupper() or any(c.isdigit() for c in name) or masked_name(name):
        return False
    if entity.type in ("PER", "LOC") and _UPPER_WORD.match(name.replace(" ", "")):
        return False
    if name in lexicon.CYCLE_YEARS:
        return False
    if " " in name:
        return True
    if given_names and entity.type == "PER" and name not in _COMMON_WORDS:
        return True
    if entity.type == "LOC":
        return False  # one word: a place the gazetteer knows, or a storm, a cup, an app
    # One word: a foreign name, not a Vietnamese syllable ("Khoa").
    return name.isascii() and not _SYLLABLE.fullmatch(name.lower())


# Capitalised common words underthesea takes for names ("Cờ thi đua", "Bằng khen").
_COMMON_WORDS = frozenset({"Cờ", "Bằng", "Toàn", "Khối", "Ban", "Nhà", "Trường", "Đoàn"})
# Police news names people in full and leaves victims and suspects unnamed ("chị L."): a bare
# given name there is not an entity (the police annotation guide); in general news it is.
_POLICE_NEWS = re.compile(
    rf"(?i)(?<!\w)(?:công an|cảnh sát|csgt|biên phòng|đối tượng|bị can|bị cáo|nghi phạm"
    rf"|{'|'.join(lexicon.RANKS)})(?!\w)"
)


def police_news(texts: Sequence[str]) -> bool:
    """Whether the texts (one article's) are police news, by the words only it uses."""
    return any(_POLICE_NEWS.search(text) for text in texts)


# A Vietnamese syllable written without its marks: onset, vowels, final consonant.
_SYLLABLE = re.compile(
    r"(?:ngh|ch|gh|gi|kh|ng|nh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?"
)


_BEFORE_PERSON = re.compile(r"^(?:\s*,?\s*(?:[Đđ]ồng chí|[Ôô]ng|[Bb]à)?\s*)$")
_AFTER_PERSON = re.compile(r"^\s*[,–-]?\s*(?:nguyên\s+)?$")  # "A - nguyên Giám đốc ..."
_BETWEEN_TITLES = re.compile(r"^\s*[,;]\s*$")


def _link(text: str, mentions: list[Mention]) -> None:
    """Give each person the rank and titles written next to their name: before it ("Đại
    tá A, Giám đốc ...") or after it ("A - Bí thư Tỉnh ủy", "A, Thứ trưởng, Thủ trưởng ...")."""
    for index, person in enumerate(mentions):
        if person.type != "PER":
            continue
        cursor = person.start
        for before in range(index - 1, -1, -1):  # no copy of the list for each person
            previous = mentions[before]
            if not _BEFORE_PERSON.match(text[previous.end : cursor]):
                break
            if previous.type in ("RANK", "TITLE") and previous.type.lower() not in person.attrs:
                person.attrs[previous.type.lower()] = previous.text
                cursor = previous.start
            else:
                break
        cursor, gap, titles = person.end, _AFTER_PERSON, []
        for after in range(index + 1, len(mentions)):
            following = mentions[after]
            if following.type != "TITLE" or not gap.match(text[cursor : following.start]):
                break
            titles.append(following.text)
            cursor, gap = following.end, _BETWEEN_TITLES
        if titles:
            person.attrs.setdefault("title", titles[0])
            if len(titles) > 1:
                person.attrs["more_titles"] = titles[1:]
    _share_listed_titles(text, mentions)


_LIST_START = re.compile(r"^\s*:\s*$")


def _share_listed_titles(text: str, mentions: list[Mention]) -> None:
    """ "các đồng chí Ủy viên Ban TVTU: A, Phó Chủ tịch HĐND tỉnh; B, ...": the role before
    the colon is each listed person's, besides their own."""
    for index, title in enumerate(mentions):
        following = mentions[index + 1 : index + 2]
        if title.type != "TITLE" or not following:
            continue
        if not _LIST_START.match(text[title.end : following[0].start]):
            continue
        sentence_end = text.find(".", title.end) % (len(text) + 1)  # no period: the end
        for after in range(index + 1, len(mentions)):
            mention = mentions[after]
            if mention.start > sentence_end:
                break  # the list ends with its sentence
            if mention.type == "PER":
                mention.attrs["listed_title"] = title.text


def _linked_titles(text: str, mentions: list[Mention]) -> list[Mention]:
    """Bare titles ("Thứ trưởng", "Bộ trưởng") only where they name a person's role: right
    before the name (a rank between) or after it, or in a chain of that person's titles."""
    kept = []
    for index, mention in enumerate(mentions):
        if mention.role != "bare_title":
            kept.append(mention)
            continue
        after = mentions[index + 1 : index + 3]
        before = kept[-1] if kept else None
        if (
            any(m.type == "PER" for m in after[:1])
            or (len(after) == 2 and after[0].type == "RANK" and after[1].type == "PER")
        ) and _BEFORE_PERSON.match(text[mention.end : after[0].start]):
            kept.append(mention)
            continue
        if before is not None and before.type in ("PER", "TITLE"):
            gap = text[before.end : mention.start]
            if _AFTER_PERSON.match(gap) or _BETWEEN_TITLES.match(gap):
                kept.append(mention)
    return kept


def _retype_named_people(text: str, mentions: list[Mention], extra: list[Mention]) -> None:
    """underthesea types many foreign names as places ("Đại sứ Pháp Nicolas Warnery"): a
    name it found right after a role or a rank, or right before ", <role>", is a person."""
    leftovers = {id(e) for e in extra}
    for index, mention in enumerate(mentions):
        if mention.type != "LOC" or id(mention) not in leftovers:
            continue
        before = mentions[index - 1] if index else None
        after = mentions[index + 1] if index + 1 < len(mentions) else None
        if (before is not None and before.type in ("TITLE", "RANK")
                and _BEFORE_PERSON.match(text[before.end : mention.start])) or (
            after is not None and after.type == "TITLE"
            and _AFTER_PERSON.match(text[mention.end : after.start])
        ):  # fmt: skip
            mention.type = "PER"


def extract(text: str) -> list[Mention]:
    """Typed mentions of one paragraph, outermost first with their nested mentions, people
    linked to their roles."""
    return extract_many([text])[0]


def extract_many(texts: Sequence[str], police: Sequence[bool] | None = None) -> list[list[Mention]]:
    """The mentions of each paragraph, underthesea's models run on all of them at once.
    ``police`` says, for each paragraph, whether its article is police news (by default,
    whether the paragraph itself reads as such)."""
    registers = police if police is not None else [police_news([text]) for text in texts]
    pieces = [_pieces(text) for text in texts]  # a paragraph of a whole page is read in parts
    flat = [piece for parts in pieces for _, piece in parts]
    found = (
        e
        for first in range(0, len(flat), _BATCH)
        for e in entities_of(flat[first : first + _BATCH])
    )
    results = []
    for parts, is_police in zip(pieces, registers, strict=True):
        mentions: list[Mention] = []
        for offset, piece in parts:
            for mention in (part := _mentions(piece, next(found), not is_police)):
                mention.start, mention.end = mention.start + offset, mention.end + offset
                if mention.inside is not None:
                    mention.inside += len(mentions)
            mentions += part
        results.append(mentions)
    return results


# Longer paragraphs (a page with no <p>, a text file in one line) are read a part at a time,
# cut after a sentence: the models' memory follows the part, not the paragraph.
_PIECE = 4000
_BATCH = 64  # parts through the models at once
_SENTENCE_END = re.compile(r"[.!?…]\s+")


def _pieces(text: str) -> list[tuple[int, str]]:
    """(offset, text) parts of a paragraph, each cut after a sentence where one ends."""
    pieces, start = [], 0
    while len(text) - start > _PIECE:
        cut = None
        for match in _SENTENCE_END.finditer(text, start + _PIECE // 2, start + _PIECE):
            cut = match.end()
        cut = cut or text.rfind(" ", start + 1, start + _PIECE) + 1 or start + _PIECE
        pieces.append((start, text[start:cut]))
        start = cut
    pieces.append((start, text[start:]))
    return pieces


# "Theo Đình Thuấn (CAND)": a byline closing the article.
_BYLINE = re.compile(r"^\s*Theo [^,.:;]{2,40} \([A-ZĐ.]{2,10}\)\.?\s*$")


def _mentions(text: str, entities: list[ModelSpan], given_names: bool) -> list[Mention]:
    if not text.strip() or parse_credit(text) is not None or _BYLINE.match(text):
        return []
    view = modern_spelling(text)  # the rules are written in the modern spelling
    credits = _Taken(len(text), credit_spans(view))
    found = [m for m in rule_mentions(view) if credits.free(m.start, m.end)]
    masked = [m for m in found if m.role == "masked"]
    rules = _resolve([m for m in found if m.role != "masked"], len(text))
    taken = _Taken(len(text), [(m.start, m.end) for m in rules + masked])
    extra = [
        Mention(text[e.start : e.end], e.type, e.start, e.end)
        for e in entities
        if e.type in ("PER", "ORG", "LOC") and credits.free(e.start, e.end)
    ]
    extra = [m for m in extra if _plausible(m, given_names) and taken.free(m.start, m.end)]
    outer = _linked_titles(view, sorted(rules + extra, key=lambda m: m.start))
    _retype_named_people(view, outer, extra)
    _link(view, outer)
    for mention in descendants(outer):  # the original text, not the matching view
        mention.text = text[mention.start : mention.end]
    return _flatten(outer)


def _flatten(outer: list[Mention]) -> list[Mention]:
    """Outermost mentions in order, each followed by those inside it (depth first)."""
    flat: list[Mention] = []

    def add(mention: Mention, holder: int | None) -> None:
        mention.inside = holder
        flat.append(mention)
        index = len(flat) - 1
        if mention.type == "LOC":
            return  # "xã Tân Lập" holds its name, not another place
        for child in sorted(mention.children, key=lambda m: m.start):
            add(child, index)

    for mention in outer:
        add(mention, None)
    return flat


_PLACE_TYPE = re.compile(
    r"^(?:(?:thành phố|tỉnh|huyện|quận|thị xã|thị trấn|xã|phường|đặc khu|tp)\s+"
    r"|(?:TP|Tp|TX|TT|H|P|Q)\.\s*|TP\s+)",
    re.IGNORECASE,
)


def normalized_place(name: str) -> str:
    """An administrative place by its name alone ("tỉnh Nam Định" -> "Nam Định", "TP.HCM"
    -> "Hồ Chí Minh")."""
    return canonical_place(_PLACE_TYPE.sub("", " ".join(name.split())))


def normalized(mention: Mention) -> str:
    """How a mention is filed: single spaces; a person without honorific; an
    administrative place by its name alone ("xã Tân Lập" -> "Tân Lập", "TP.HCM" -> "Hồ Chí
    Minh"); other places keep their type word ("quốc lộ 1A", "đường Nguyễn Trãi")."""
    name = " ".join(mention.text.split())
    if mention.type == "LOC" and mention.role == "typed":
        return name
    if mention.type == "LOC":
        return mention.canonical or normalized_place(name)
    return re.sub(r"^(?:đồng chí|Đồng chí) ", "", name)


def mention_dict(mention: Mention, offset: int = 0, **extra: Any) -> dict[str, Any]:
    """A mention as indexed and printed; a nested one says which mention holds it, by its
    index in the list the dicts go to (``offset``: the mentions before this text's)."""
    found = {"text": mention.text, "type": mention.type, "normalized": normalized(mention),
             **extra, "start": mention.start, "end": mention.end, **mention.attrs}  # fmt: skip
    if mention.inside is not None:
        found["inside"] = mention.inside + offset
    return found


def add_mentions(into: list[dict[str, Any]], mentions: list[Mention], **extra: Any) -> None:
    """Append one text's mentions to an article's list, each ``inside`` pointing into it."""
    offset = len(into)
    into += [mention_dict(m, offset, **extra) for m in mentions]
