from __future__ import annotations

from datetime import date

import pytest

from crawler.dates import find_dates, iso_vietnam, parse_datetime, refine_month

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


@pytest.mark.parametrize(
    ("text", "iso", "precision"),
    [
        ("09:54 17/02/2016", "2016-02-17T09:54:00+07:00", "minute"),
        ("Thứ năm, 20/11/2025 | 14:24", "2025-11-20T14:24:00+07:00", "minute"),
        ("Ngày đăng: 04/01/2022", "2022-01-04T00:00:00+07:00", "day"),
        ("(04/01/2022)", "2022-01-04T00:00:00+07:00", "day"),
        ("Cập nhật ngày: 12-09-2022", "2022-09-12T00:00:00+07:00", "day"),
        ("Chủ nhật, 19/05/2024, 07:31 [GMT+7]", "2024-05-19T07:31:00+07:00", "minute"),
        ("Thứ hai, 18/12/2023 - 14:40", "2023-12-18T14:40:00+07:00", "minute"),
        ("Thứ 6, 16.02.2024 | 23:46:40", "2024-02-16T23:46:40+07:00", "minute"),
        ("Thứ tư - 27/03/2024 08:42", "2024-03-27T08:42:00+07:00", "minute"),
        ("2024-03-27T01:42:50Z", "2024-03-27T08:42:50+07:00", "minute"),
        ("2024-03-27", "2024-03-27T00:00:00+07:00", "day"),
        ("Ngày 21 tháng 09 năm 2025, tại", "2025-09-21T00:00:00+07:00", "day"),
        # 12-hour clocks: AM/PM, SA/CH and the Vietnamese day parts; a 24-hour clock
        # marked PM stays as written.
        ("Cập nhật thứ hai, ngày 24/12/12 11:05 tối", "2012-12-24T23:05:00+07:00", "minute"),
        ("25/12/2012 3:20 chiều", "2012-12-25T15:20:00+07:00", "minute"),
        ("25/12/2012 03:20 PM", "2012-12-25T15:20:00+07:00", "minute"),
        ("15:20 PM | 21/12/2012", "2012-12-21T15:20:00+07:00", "minute"),
        ("24/12/2012 - 9:05 tối", "2012-12-24T21:05:00+07:00", "minute"),
        ("12/03/2013 12:10 SA", "2013-03-12T00:10:00+07:00", "minute"),
        ("12/03/2013 02:10 CH", "2013-03-12T14:10:00+07:00", "minute"),
        ("12/03/2013 9:10 sáng", "2013-03-12T09:10:00+07:00", "minute"),
        ("05/01/13", "2013-01-05T00:00:00+07:00", "day"),
    ],
)
def test_parse_datetime_site_formats(text: str, iso: str, precision: str) -> None:
    value, found_precision = parse_datetime(text)
    assert (value.isoformat(), found_precision) == (iso, precision)


@pytest.mark.parametrize("text", ["", "hôm qua", "2024-03-27+0708:42:50", "31/02/2024", "24/7/365"])
def test_parse_datetime_rejects(text: str) -> None:
    assert parse_datetime(text) is None
