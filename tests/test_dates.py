from __future__ import annotations

from datetime import date

import pytest

from crawler.dates import find_dates, iso_vietnam, refine_month

REFERENCE = date(2022, 1, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sáng 4-1, Công an tỉnh tổ chức hội nghị", [date(2022, 1, 4)]),
        ("chiều 03/7 đã xảy ra", [date(2022, 7, 3)]),
        ("Ngày 19 tháng 11 năm 2021, Công an", [date(2021, 11, 19)]),
        ("ngày 03/7/2021 tại", [date(2021, 7, 3)]),
        ("Tối 30-12, lực lượng", [date(2021, 12, 30)]),  # December before a January article
        ("nhiệm kỳ 2021-2026 và tỉ số 3-1", []),
        ("Sáng 31-2 không có", []),
    ],
)
def test_find_dates(text: str, expected: list[date]) -> None:
    assert find_dates(text, REFERENCE) == expected


def test_refine_month_takes_first_day_in_that_month() -> None:
    assert refine_month(2022, 1, "Ngày 19 tháng 11 năm 2021 và sáng 4-1") == date(2022, 1, 4)
    assert refine_month(2022, 1, "Không có ngày nào") is None


def test_iso_vietnam_has_offset() -> None:
    assert iso_vietnam(date(2022, 1, 4)) == "2022-01-04T00:00:00+07:00"
