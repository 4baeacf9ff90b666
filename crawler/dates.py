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
