"""Pure text helpers for Vietnamese news: normalization, folding, paragraphs, credits."""

from __future__ import annotations

import pickle
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from retrie.trie import Trie

from crawler.nlp.models import token_rules
from crawler.scan import compile_scanning

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Terminal escape sequences, whole: CSI (colours, clearing the screen), OSC up to its
# terminator (titles, hyperlinks), other ESC sequences; their parameters are not text.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|\x1b[\]P^_X][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|\x1b[ -/]*[0-~]"
)
# C0 and C1 control characters but tab and newline, and the bidi embeddings, overrides,
# isolates and marks: they drive a terminal or reorder what a reader sees, and Vietnamese
# is written left to right. Those that are whitespace to Python become a space.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Runs of spaces, and any other space character: what is not already one plain space.
_SPACE = r"\t\u00a0\u2000-\u200a\u202f\u205f\u3000"  # besides " "
_SPACES = re.compile(rf"[ {_SPACE}]{{2,}}|[{_SPACE}]")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class _TokenRules:
    characters: str  # characters the character map replaces (ð)
    translation: dict[int, str]  # the character map, for str.translate
    tokens: dict[str, str]  # the token map, tokens of at most 6 characters
    mapped: re.Pattern[str]  # the words in the token map
    odd_words: re.Pattern[str]  # the words of at most 6 characters with a mapped character


@cache
def _token_rules() -> _TokenRules:
    """underthesea's token normalization rules, read from its rules file.

    Read here, not through underthesea's module: importing underthesea costs the crawl
    process half a second and imports it does not otherwise need. Two patterns find the
    only words the rules change, words of at most 6 characters: those in the token map,
    and those that hold "ð".
    """
    with token_rules().open("rb") as handle:
        rules = pickle.load(handle)
    odd = "".join(rules["character"])
    tokens = {k: v for k, v in rules["token"].items() if len(k) <= 6}
    trie = Trie()
    trie.add(*(k for k in tokens if _WORD.fullmatch(k) and not set(k) & set(odd)))
    return _TokenRules(
        characters=odd,
        translation=str.maketrans(rules["character"]),
        tokens=tokens,
        mapped=compile_scanning(rf"(?<!\w)(?:{trie.pattern()})(?!\w)"),
        odd_words=re.compile(rf"(?<!\w)(?=\w{{0,5}}[{odd}])\w{{1,6}}(?!\w)"),
    )


def token_map() -> dict[str, str]:
    """underthesea's token map (hoà -> hòa, qui -> quy) for tokens of at most 6 characters,
    the only ones it changes: normalize_token of a token already NFC and without "ð"."""
    return _token_rules().tokens


def normalize_token(token: str) -> str:
    """underthesea's token_normalize: for a token of at most 6 characters, NFC, its
    character map (ð -> đ), then its token map."""
    if len(token) > 6:
        return token
    token = unicodedata.normalize("NFC", token).translate(_token_rules().translation)
    return token_map().get(token, token)


def modern_spelling(text: str) -> str:
    """The token map's modern spelling (hoà -> hòa, uỷ -> ủy) where it keeps every offset:
    for matching text whose offsets must stay those of the original."""
    rules = _token_rules()

    def same_length(match: re.Match[str]) -> str:
        new = rules.tokens[match.group()]
        return new if len(new) == len(match.group()) else match.group()

    return rules.mapped.sub(same_length, text)


def strip_controls(text: str) -> str:
    """Text that cannot drive a terminal: no escape sequences, no control characters but
    newline and tab (a carriage return is a newline), no bidi controls."""
    if text.isprintable():
        return text
    text = _ESCAPES.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROLS.sub(lambda m: " " if m.group().isspace() else "", text)


def normalize_text(text: str) -> str:
    """NFC, modern tone-mark placement (hoà -> hòa), no invisible chars, no control
    characters but newlines, single spaces."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", strip_controls(text)))
    rules = _token_rules()
    text = rules.mapped.sub(lambda m: rules.tokens[m.group()], text)
    if any(char in text for char in rules.characters):
        text = rules.odd_words.sub(lambda m: normalize_token(m.group()), text)
    return _SPACES.sub(" ", text).strip()


def _folded(char: str) -> str:
    """A character without its accents when its base letter is ASCII (đ is a letter of
    its own to Unicode, folded to d), else itself."""
    if char in "đĐ":
        return "d" if char == "đ" else "D"
    base = unicodedata.normalize("NFD", char)[0]
    return base if base.isascii() else char


@cache
def _fold_table() -> str:
    """str.translate table of the Basic Multilingual Plane, indexed by code point: a
    string translates faster than a dict (characters past it are kept, as none of them
    has an ASCII base letter)."""
    return "".join(_folded(chr(code)) for code in range(0x10000))


def fold(text: str) -> str:
    """Remove Vietnamese diacritics, keeping one character per character.

    Keeping the length lets Elasticsearch highlight the accented text from matches on
    the folded copy: both have the same offsets.
    """
    return text if text.isascii() else text.translate(_fold_table())


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines, each joined onto one line."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    return [" ".join(block.split()) for block in blocks if block.strip()]


_CREDIT = re.compile(
    r"^(?:tin|ảnh|bài|tin,\s*ảnh|tin\s+và\s+ảnh|bài,\s*ảnh|bài\s+và\s+ảnh|tác\s+giả)"
    r"\s*:\s*(?P<names>.+?)(?:\s*[-–,.]?\s*nguồn\s*:.*)?$",
    re.IGNORECASE,
)
# Between names: ",", ";", "và", "&", a dash ("HOÀNG LONG - THU HÀ", "A -B").
_NAME_SEPARATORS = re.compile(r"\s*(?:,|;|\s[-–]\s|\svà\s|&|\s-|-\s)\s*")
_BARE_NAME = re.compile(r"^(?:[A-ZĐÀ-Ỹ][\wÀ-ỹ]*\.?\s){0,4}[A-ZĐÀ-Ỹ][\wÀ-ỹ]*$")


def _tidy_name(name: str) -> str:
    name = name.strip(" .")
    return name.title() if name.isupper() else name


def parse_credit(paragraph: str) -> list[str] | None:
    """Author names of a credit line, or None when the paragraph is not one.

    Handles "Tin, ảnh: Xuân Thu và Văn Huỳnh", "Tác giả: X - Nguồn: Y" and a bare
    name of two to five capitalised words on the last line.
    """
    text = paragraph.strip()
    match = _CREDIT.match(text)
    if match:
        names = _NAME_SEPARATORS.split(match.group("names"))
        return [_tidy_name(n) for n in names if n.strip(" .")]
    if len(text) <= 40 and " " in text and _BARE_NAME.match(text):
        return [_tidy_name(text)]
    return None


# "Theo Báo CAND", "Nguồn: congan.namdinh.gov.vn": the outlet credited, not an author.
SOURCE_LINE = re.compile(
    r"^(?:Theo|Nguồn(?: tin)?\s*:)\s*(?P<source>(?:[\w-]+\.)+[a-z]{2,}|[^.]{2,80}?)\.?$"
)
# "HOÀNG LONG - THU HÀ", "Minh Anh (PC06)", "Văn Phúc - Hải Đăng", "Nhóm PV".
_UNIT = re.compile(r"\s*\((?P<unit>[^)]{1,40})\)\s*$")
_NAME = re.compile(rf"{_BARE_NAME.pattern}|^Nhóm (?:PV|phóng viên|tác giả)(?:\s.*)?$")
_BYLINE_LABEL = re.compile(
    r"^(?:Tác giả|Bài(?: và ảnh)?|Tin(?: và ảnh)?|Tin,? ảnh|Bài,? ảnh|Nhóm tác giả|Người viết|"
    r"Phóng viên|PV|By|Viết bởi|Đăng bởi|Người đăng)\s*:?\s*",
    re.IGNORECASE,
)


def tidy_name(name: str) -> str:
    """A name in its usual case: "HOÀNG LONG" is "Hoàng Long"."""
    name = " ".join(name.strip(" .,;:-–").split())
    return name.title() if name.isupper() and len(name) > 3 else name


def credit_names(text: str) -> list[str] | None:
    """The people a byline names, or None when the text is not a byline."""
    text = " ".join(text.split()).strip(" .")
    if not text or len(text) > 90 or SOURCE_LINE.match(text):
        return None
    if names := parse_credit(text):
        cleaned = [tidy_name(_UNIT.sub("", n)) for n in names]
        return [n for n in cleaned if n] or None
    labelled = _BYLINE_LABEL.sub("", text)
    labelled = re.split(r"\s*[-–|]?\s*(?:Nguồn|Theo)\s*:?", labelled)[0]
    names = []
    for part in _NAME_SEPARATORS.split(labelled):
        part = _UNIT.sub("", part).strip(" .")
        if not part:
            continue
        if not _NAME.match(part) or len(part) > 40:
            return None
        names.append(tidy_name(part))
    return names or None


_PHOTO_ACTIONS = re.compile(
    r"\b(?:tặng|trao|chụp ảnh|phát biểu|kiểm tra|thăm hỏi|thăm|chúc mừng|gắn|"
    r"quang cảnh|toàn cảnh|ảnh:|dâng hương|dự|chủ trì)\b",
    re.IGNORECASE,
)
_SENTENCE_END_INSIDE = re.compile(r"[.!?]\s+[A-ZĐÀ-Ỹ]")


def is_caption(paragraph: str) -> bool:
    """True for a short one-sentence paragraph that describes a photo.

    Captions on these sites sit between body paragraphs with nothing marking them but
    their shape: one sentence, short, naming people doing something for the camera.
    """
    text = paragraph.strip()
    if len(text) > 300 or text.endswith(("...", "…", "./.")):
        return False
    if _SENTENCE_END_INSIDE.search(text.rstrip(".")):
        return False
    return bool(_PHOTO_ACTIONS.search(text))


# Abbreviations of police and government news, and the police units' codes, spelled out
# for search only: the displayed text keeps what the site wrote.
ABBREVIATIONS = {
    "HĐND": "Hội đồng nhân dân", "UBND": "Ủy ban nhân dân", "BCH": "Ban Chấp hành",
    "TVTU": "Thường vụ Tỉnh ủy", "BTV": "Ban Thường vụ", "BCĐ": "Ban Chỉ đạo",
    "CSGT": "Cảnh sát giao thông", "CSĐT": "Cảnh sát điều tra", "CSHS": "Cảnh sát hình sự",
    "PCCC": "phòng cháy chữa cháy", "CNCH": "cứu nạn cứu hộ", "ANTT": "an ninh trật tự",
    "ANTQ": "an ninh Tổ quốc", "TTATGT": "trật tự an toàn giao thông",
    "TTATXH": "trật tự an toàn xã hội", "MTTQ": "Mặt trận Tổ quốc",
    "VKSND": "Viện Kiểm sát nhân dân", "TAND": "Tòa án nhân dân", "CAND": "Công an nhân dân",
    "CAT": "Công an tỉnh", "TP": "thành phố", "PC01": "Cơ quan Cảnh sát điều tra",
    "PC02": "Phòng Cảnh sát hình sự", "PC03": "Phòng Cảnh sát kinh tế",
    "PC04": "Phòng Cảnh sát điều tra tội phạm về ma túy",
    "PC06": "Phòng Cảnh sát quản lý hành chính về trật tự xã hội",
    "PC07": "Phòng Cảnh sát phòng cháy chữa cháy và cứu nạn cứu hộ",
    "PC08": "Phòng Cảnh sát giao thông", "PC09": "Phòng Kỹ thuật hình sự",
    "PA05": "Phòng An ninh mạng và phòng chống tội phạm sử dụng công nghệ cao",
    "PA08": "Phòng Quản lý xuất nhập cảnh",
}  # fmt: skip
_ABBREVIATION = compile_scanning(r"(?<!\w)(" + "|".join(ABBREVIATIONS) + r")(?!\w)")


_SPELLED_OUT = {
    abbreviation: re.compile(rf"(?<!\w){re.escape(words)}(?!\w)", re.IGNORECASE)
    for abbreviation, words in ABBREVIATIONS.items()
}


def expand_abbreviations(text: str) -> list[str]:
    """For search: each abbreviation in a text spelled out, and each spelled-out form in it
    abbreviated, each once. A search for either finds both as words, not as a phrase:
    a phrase in every match costs a search more than all the rest (README)."""
    found = [ABBREVIATIONS[m] for m in _ABBREVIATION.findall(text)]
    found += [abbreviation for abbreviation, words in _SPELLED_OUT.items() if words.search(text)]
    return list(dict.fromkeys(found))


# "(CAO) ", "(QNO) - ", "ANTĐ - ", "TPO - ": the newspaper's tag before the first sentence.
_LEAD_IN = re.compile(
    r"^\s*(?:\((?P<paren>[A-ZĐ]{2,6})\)\s*[-–]?\s*|(?P<dash>[A-ZĐ]{2,6})\s*[-–]\s+)"
)


def split_lead_in(paragraph: str) -> tuple[str | None, str]:
    """The lead-in tag of a paragraph, if any, and the paragraph without it."""
    match = _LEAD_IN.match(paragraph)
    if not match:
        return None, paragraph
    return match.group("paren") or match.group("dash"), paragraph[match.end() :]
