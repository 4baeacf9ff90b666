"""Vietnamese date helpers: resolve partial dates in prose against a reference month."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

VIETNAM_TZ = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")

# "Sáng 4-1", "chiều 03/7", "ngày 19 tháng 11 năm 2021", "ngày 03/7/2021", "4-1-2022"
_PROSE_DATE = re.compile(
    r"\b(?:(?P<part>sáng|chiều|trưa|tối|đêm|rạng sáng|ngày|hôm)\s+(?:nay\s+)?)?"
    r"(?P<day>\d{1,2})\s*(?:[-/.]|\s+tháng\s+)\s*(?P<month>\d{1,2})"
    r"(?:\s*(?:[-/.]|\s+năm\s+)\s*(?P<year>\d{4}))?\b",
    re.IGNORECASE,
)


def iso_vietnam(day: date) -> str:
    """Midnight of a day in Vietnam time, as ISO 8601 with +07:00."""
    return datetime(day.year, day.month, day.day, tzinfo=VIETNAM_TZ).isoformat()


def find_dates(text: str, reference: date) -> list[date]:
    """Dates written in the text, a missing year taken from the reference date.

    A bare "d-m" counts only after a time-of-day word ("Sáng 4-1") so that scores and
    ranges ("3-1", "2021-2026") are not read as dates; a year that makes the date fall
    far after the reference is taken as the year before (a January article about 28-12).
    """
    found: list[date] = []
    for match in _PROSE_DATE.finditer(text):
        if not match.group("part") and not match.group("year"):
            continue
        day, month = int(match.group("day")), int(match.group("month"))
        year = int(match.group("year") or reference.year)
        try:
            value = date(year, month, day)
        except ValueError:
            continue
        if not match.group("year") and (value - reference).days > 183:
            value = value.replace(year=year - 1)
        found.append(value)
    return found


def refine_month(year: int, month: int, text: str) -> date | None:
    """The first day in the text that falls in the given month, or None."""
    for value in find_dates(text, date(year, month, 1)):
        if (value.year, value.month) == (year, month):
            return value
    return None


_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?![\d:])")
_TIME = re.compile(
    r"(?<!\d)(\d{1,2}):(\d{2})(?::(\d{2}))?(?!\d)"
    r"(?:\s*(?P<half>[AaPp]\.?\s?[Mm]\b\.?|SA\b|CH\b|sáng|trưa|chiều|tối|đêm))?"
)
# Day parts that put a 12-hour clock in the afternoon or evening ("11:05 tối" is 23:05).
_AFTERNOON = re.compile(r"^(?:p|ch|chiều|tối)", re.IGNORECASE)
_ISO = re.compile(
    r"^\s*\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?\s*$"
)
_PROSE_FULL = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)


def parse_datetime(text: str | None) -> tuple[datetime, str] | None:
    """A publication date as the sites write it, in Vietnam time, and its precision.

    Reads ISO 8601 (meta tags) and the numeric forms of the portals: "09:54 17/02/2016",
    "Thứ năm, 20/11/2025 | 14:24", "Ngày đăng: 04/01/2022", "(04/01/2022)", "Cập nhật
    ngày: 12-09-2022", "Thứ 6, 16.02.2024 | 23:46:40", "ngày 19 tháng 11 năm 2021".
    Precision is "minute" when a time is given, else "day".
    """
    if not text:
        return None
    if _ISO.match(text):
        try:
            value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        has_time = "T" in text or " " in text.strip()
        if value.tzinfo is None:
            value = value.replace(tzinfo=VIETNAM_TZ)
        return value.astimezone(VIETNAM_TZ), "minute" if has_time else "day"
    match = _NUMERIC_DATE.search(text) or _PROSE_FULL.search(text)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    if year < 100:  # "24/12/12": a two-digit year of this century
        year += 2000
    clock = _TIME.search(text)
    hour, minute, second = (int(clock.group(i) or 0) for i in (1, 2, 3)) if clock else (0, 0, 0)
    if clock and clock.group("half"):
        hour = _twelve_hour(hour, clock.group("half"))
    try:
        value = datetime(year, month, day, hour, minute, second, tzinfo=VIETNAM_TZ)
    except ValueError:
        return None
    return value, "minute" if clock else "day"


def _twelve_hour(hour: int, half: str) -> int:
    """The 24-hour clock of "3:20 PM", "11:05 tối", "12:10 SA"; a clock already past 12
    ("15:20 PM") is left as written."""
    half = half.lower().replace(".", "").replace(" ", "")
    if hour > 12:
        return hour
    if _AFTERNOON.match(half) or (half == "đêm" and hour >= 6):
        return hour % 12 + 12
    if half == "trưa" and hour < 6:  # "1:30 trưa"
        return hour + 12
    if half in ("am", "sa") and hour == 12:
        return 0
    return hour
