"""The police-domain layer: ranks, titles, organisations, places, dates and people,
found by rules that know how provincial police news is written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from crawler.nlp.gazetteer import place_alternatives, place_pattern, places
from crawler.nlp.ner import SURNAMES
from crawler.scan import compile_scanning

RANKS = (
    "Đại tướng", "Thượng tướng", "Trung tướng", "Thiếu tướng", "Đại tá", "Thượng tá",
    "Trung tá", "Thiếu tá", "Đại úy", "Thượng úy", "Trung úy", "Thiếu úy", "Thượng sĩ",
    "Trung sĩ", "Hạ sĩ", "Binh nhất", "Binh nhì",
)  # fmt: skip
_RANK = "|".join(RANKS)
_UPPER = "A-Z" + "".join(c for c in map(chr, range(0xC0, 0x1EFA)) if c.isupper())
_LOWER = "a-z" + "".join(c for c in map(chr, range(0xC0, 0x1EFA)) if c.islower())
_CAP = rf"[{_UPPER}][{_LOWER}]*"  # one capitalised syllable
_UNIT = r"(?:tỉnh|thành phố|TP\.?|huyện|quận|thị xã|xã|phường|thị trấn)"
_ABBR = rf"[{_UPPER}]{{2,}}\d*"  # PCCC, THPT, PC06
# Words of police unit names: a closed vocabulary, so a name stops where the sentence
# goes on ("Phòng Cảnh sát hình sự | phối hợp với ...").
_UNIT_WORDS = (
    r"(?:cảnh sát|an ninh|hình sự|kinh tế|giao thông|điều tra|tội phạm|về|ma túy|quản lý"
    r"|hành chính|trật tự|xã hội|môi trường|phòng cháy|chữa cháy|cứu nạn|cứu hộ|và|phòng,? chống"
    r"|mạng|sử dụng|công nghệ cao|kỹ thuật|xuất nhập cảnh|thi hành án|hỗ trợ|tư pháp"
    r"|trại tạm giam|nhà tạm giữ|cơ động|đặc nhiệm|chính trị|nội bộ|văn hóa|tư tưởng|đối ngoại"
    r"|tham mưu|hồ sơ|xây dựng|phong trào|bảo vệ|đường thủy|đường bộ|đường sắt|hậu cần"
    rf"|{_ABBR})"
)
_POLICE_UNIT = (
    rf"(?:Cảnh sát|An ninh|Quản lý|Kỹ thuật|Hồ sơ|Tham mưu|Hậu cần)(?: {_UNIT_WORDS}){{0,8}}"
)
# After a capitalised word of an organisation's name, at most one lowercase syllable
# ("Thống kê", "Tư pháp"), and never one that starts the sentence's verb phrase.
_STOP = (
    r"(?:đã|đang|sẽ|vừa|cho|cùng|có|là|được|bị|tại|trong|của|và|với|để|quyết|tiếp|khuyến"
    r"|bắt|kiểm|phối|tổ|triệt|xử|cấp|thông|công|phát|đề|chủ|dự|thăm|trao|giữ|tăng|giảm|làm"
    r"|yêu|khen|tuyên|hướng|trình|cho|báo|cần|sẽ|vào|ra|từ|đến|nên|mới|cũng|đều)"
)
_NAME_PART = rf"(?:{_CAP}(?: (?!{_STOP}(?!\w))[{_LOWER}]+)?|{_ABBR})"

# Organisations, most specific first; a name after the unit word belongs to the org.
_ORG_PATTERNS = [
    r"Bộ (?:Công an|Quốc phòng|Y tế|Tài chính|Tư pháp|Ngoại giao|Nội vụ|Công Thương|Xây dựng"
    r"|Giáo dục và Đào tạo|Nông nghiệp và Môi trường|Khoa học và Công nghệ|Văn hóa, Thể thao"
    r" và Du lịch)",
    rf"Bộ Chỉ huy Quân sự {_UNIT}(?: PLACE)?",
    r"Bộ đội Biên phòng(?: tỉnh(?: PLACE)?)?",
    rf"Cơ quan (?:Cảnh sát|An ninh) điều tra(?: Công an {_UNIT}(?: PLACE)?)?",
    rf"(?:Phòng|Cục|Đội|Trung tâm|Trại tạm giam|Trung đoàn|Tiểu đoàn) {_POLICE_UNIT}",
    rf"Công an (?:{_UNIT}(?: PLACE)?|nhân dân)",
    r"Công an(?= (?:Hà Nội|TP\.? Hồ Chí Minh|Đà Nẵng|Hải Phòng|Cần Thơ|Huế)\b)",
    rf"(?:Tỉnh|Thành|Huyện|Quận|Đảng) ủy(?: Công an {_UNIT})?",
    rf"(?:HĐND|UBND|Ủy ban nhân dân|Hội đồng nhân dân|Viện (?:Kiểm sát|KSND) nhân dân"
    rf"|Tòa án nhân dân|Mặt trận Tổ quốc Việt Nam|MTTQ)(?: {_UNIT}(?: PLACE)?)?",
    r"Ban Chỉ đạo(?: \d+| (?:Phòng|phòng), chống tội phạm)(?: (?:tỉnh|huyện|thành phố))?",
    r"Ban (?:Thường vụ|Chấp hành|Tuyên giáo|Tổ chức|Nội chính|Dân vận) (?:Tỉnh ủy|Thành ủy"
    r"|Huyện ủy|Trung ương(?: Đảng)?)",
    r"Ban (?:TVTU|TVTƯ|CHTW)",
    r"(?:BCH|Ban Chấp hành) Trung ương(?: Đảng)?",
    r"Quốc hội|Chính phủ|Văn phòng Chính phủ|Thanh tra Chính phủ|Bộ Chính trị|Ban Bí thư",
    rf"(?:Sở|Tổng cục|Ngân hàng|Tập đoàn|Tổng công ty|Công ty(?: TNHH| cổ phần)?|Bệnh viện"
    rf"|Trường|Học viện|Viện|Ủy ban|Hội|Quỹ|Tổ chức) {_NAME_PART}(?: {_NAME_PART}){{0,5}}",
]
_ORG = "|".join(f"(?:{p})" for p in _ORG_PATTERNS)

_TITLE_HEADS = (
    "Tổng Bí thư|Thủ tướng Chính phủ|Thủ tướng|Phó Thủ tướng|Chủ tịch nước|Bộ trưởng|Thứ trưởng"
    "|(?:Phó )?Bí thư|(?:Phó )?Chủ tịch|(?:Phó )?Giám đốc|(?:Phó )?Cục trưởng|(?:Phó )?Trưởng phòng"
    "|(?:Phó )?Đội trưởng|(?:Phó )?Trưởng ban|(?:Phó )?Trưởng|(?:Phó )?Chánh Văn phòng|Chánh án"
    "|(?:Phó )?Viện trưởng|(?:Phó )?Chủ nhiệm|Ủy viên|Tư lệnh|Chính ủy|Thủ trưởng"
)


@cache
def org_and_title_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Organisations and titles; compiled on first use (they embed the gazetteer)."""
    org = _ORG.replace("PLACE", place_alternatives())
    title = (
        rf"(?<!\w)(?:{_TITLE_HEADS})(?: Thường trực)? (?:{org})(?!\w)"
        rf"|(?<!\w)(?:Phó )?(?:Trưởng phòng|Cục trưởng|Đội trưởng) {_POLICE_UNIT}(?!\w)"
        rf"|(?<!\w)(?:Tổng Bí thư|Thủ tướng Chính phủ|Chủ tịch nước|Đại biểu Quốc hội)(?!\w)"
    )
    return compile_scanning(rf"(?<!\w)(?:{org})(?!\w)"), compile_scanning(title)


RANK = compile_scanning(rf"(?<!\w)(?:{_RANK})(?!\w)")
# A name right after a rank, a title or "đồng chí", or one that starts with a surname.
_NAME = rf"{_CAP}(?: {_CAP}){{1,3}}"
NAME_AFTER = compile_scanning(
    rf"(?:(?:{_RANK})|[Đđ]ồng chí|[Ôô]ng|[Bb]à|[Aa]nh|[Cc]hị) (?P<name>{_NAME})"
)
SURNAME_NAME = compile_scanning(
    rf"(?<!\w)(?:{'|'.join(sorted(SURNAMES, key=len, reverse=True))})(?: {_CAP}){{1,3}}(?!\w)"
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
    attrs: dict[str, str] = field(default_factory=dict)

    def overlaps(self, other: Mention) -> bool:
        return self.start < other.end and other.start < self.end


def _mentions(pattern: re.Pattern[str], text: str, kind: str, group: str = "0") -> list[Mention]:
    found = []
    for match in pattern.finditer(text):
        key: int | str = int(group) if group.isdigit() else group
        start, end = match.span(key)
        found.append(Mention(text[start:end], kind, start, end))
    return found


def _is_date(mention: Mention) -> bool:
    # "2021-2026" or a bare "3-1" is not a date; a day-month needs a context word or year.
    text = mention.text
    return bool(re.search(r"[a-zà-ỹ]", text, re.IGNORECASE)) or text.count("/") == 2


def rule_mentions(text: str) -> list[Mention]:
    """Every mention the rules find, overlapping ones included (resolved by the caller)."""
    org, title = org_and_title_patterns()
    mentions = _mentions(title, text, "TITLE") + _mentions(org, text, "ORG")
    mentions += _mentions(RANK, text, "RANK")
    mentions += [m for m in _mentions(DATE, text, "DATE") if _is_date(m)]
    for match in place_pattern().finditer(text):
        start, end = match.span("name")
        place = places()[match.group("name")]
        where = {"province": place.province, "province_current": place.province_current}
        mentions.append(Mention(text[start:end], "LOC", start, end, where))
    mentions += _mentions(NAME_AFTER, text, "PER", "name")
    mentions += _mentions(SURNAME_NAME, text, "PER")
    return mentions
