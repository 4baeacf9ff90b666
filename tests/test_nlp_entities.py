"""Each rule family of the police-domain layer, on real-style sentences."""

from __future__ import annotations

import re

import pytest

from crawler.nlp.entities import extract
from crawler.nlp.gazetteer import current_province, place_alternatives, place_pattern, places
from crawler.nlp.people import people
from tests.test_nlp_crf import TEXTS


def found(text: str) -> list[tuple[str, str]]:
    return [(m.type, m.text) for m in extract(text)]


@pytest.mark.parametrize(
    ("text", "rank"),
    [
        ("Đại tướng Tô Lâm phát biểu.", "Đại tướng"),
        ("Thiếu úy Hà Thị Mai hướng dẫn người dân.", "Thiếu úy"),
        ("Hạ sĩ Lò Văn Sính đã kịp thời cứu người.", "Hạ sĩ"),
        ("Thượng tá Lê Minh Tuấn cho biết.", "Thượng tá"),
    ],
)
def test_ranks(text: str, rank: str) -> None:
    assert ("RANK", rank) in found(text)


@pytest.mark.parametrize(
    "title",
    [
        "Bí thư Tỉnh ủy",
        "Phó Chủ tịch Thường trực UBND tỉnh",
        "Giám đốc Công an tỉnh",
        "Trưởng Công an huyện Tam Đường",
        "Ủy viên Ban Thường vụ Tỉnh ủy",
        "Cục trưởng Cục Cảnh sát hình sự",
        "Phó Trưởng phòng Cảnh sát kinh tế",
        "Bộ trưởng Bộ Công an",
    ],
)
def test_titles_keep_their_organisation(title: str) -> None:
    assert found(f"Đồng chí Nguyễn Văn An, {title} dự hội nghị.") == [
        ("PER", "Nguyễn Văn An"),
        ("TITLE", title),
    ]


@pytest.mark.parametrize(
    "org",
    [
        "Bộ Công an",
        "Công an tỉnh Lai Châu",
        "Công an huyện Mường Nhé",
        "Phòng Cảnh sát PCCC và CNCH",
        "Phòng Cảnh sát điều tra tội phạm về ma túy",
        "Ban Chỉ đạo 138 tỉnh",
        "HĐND tỉnh",
        "Ủy ban nhân dân tỉnh Nghệ An",
        "Tỉnh ủy",
        "Cơ quan Cảnh sát điều tra Công an tỉnh Thái Bình",
        "Ngân hàng Nhà nước Việt Nam",
    ],
)
def test_organisations_stop_where_the_sentence_goes_on(org: str) -> None:
    assert ("ORG", org) in found(f"Sáng nay, {org} đã tổ chức hội nghị.")


def test_places_before_and_after_the_merger() -> None:
    assert found("Tỉnh Nam Định và tỉnh Hà Nam được sáp nhập vào tỉnh Ninh Bình.") == [
        ("LOC", "Nam Định"),
        ("LOC", "Hà Nam"),
        ("LOC", "Ninh Bình"),
    ]
    assert current_province("Nam Định") == "Ninh Bình"
    assert places()["Đồng Hới"].province_current == "Quảng Trị"
    assert places()["Mộc Châu"].kind == "district"


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Sáng 4-1, hội nghị", "Sáng 4-1"),
        ("Ngày 19 tháng 11 năm 2021, Công an", "Ngày 19 tháng 11 năm 2021"),
        ("chiều 03/7 đã xảy ra", "chiều 03/7"),
        ("trong tháng 11/2024", "tháng 11/2024"),
    ],
)
def test_dates(text: str, date: str) -> None:
    assert ("DATE", date) in found(text)


def test_scores_and_ranges_are_not_dates() -> None:
    assert not [m for m in extract("nhiệm kỳ 2021-2026, tỉ số 3-1") if m.type == "DATE"]


def test_person_role_links_and_one_entity_per_person() -> None:
    text = (
        "Đại tá Phạm Văn Long, Giám đốc Công an tỉnh phát biểu. "
        "Đồng chí Bí thư Tỉnh ủy Phạm Gia Túc ghi nhận. Đại tá Phạm Văn Long cảm ơn."
    )
    mentions = [
        {"type": m.type, "normalized": m.text, **m.attrs} for m in extract(text)
    ]  # fmt: skip
    assert people(mentions) == [
        {"name": "Phạm Văn Long", "rank": "Đại tá", "titles": ["Giám đốc Công an tỉnh"],
         "mentions": 2},
        {"name": "Phạm Gia Túc", "rank": None, "titles": ["Bí thư Tỉnh ủy"], "mentions": 1},
    ]  # fmt: skip


def test_dong_chi_honorific_and_common_words_are_not_names() -> None:
    text = "Đồng chí Trần Anh Dũng trao Cờ thi đua và Bằng khen; Toàn dân tham gia."
    persons = [m.text for m in extract(text) if m.type == "PER"]
    assert persons == ["Trần Anh Dũng"]


def test_place_trie_matches_what_the_longest_first_alternation_matches() -> None:

    names = sorted(places(), key=len, reverse=True)
    plain = re.compile(
        place_pattern().pattern.replace(
            place_alternatives(), "(?:" + "|".join(map(re.escape, names)) + ")"
        )
    )
    texts = [*TEXTS, "Hà Nội, Hà Nam, Hà Giang và tỉnh Bà Rịa - Vũng Tàu; huyện Hà"]
    for text in texts:
        ours = [(m.span(), m.group("name")) for m in place_pattern().finditer(text)]
        assert ours == [(m.span(), m.group("name")) for m in plain.finditer(text)]
    assert [m.group("name") for m in place_pattern().finditer(texts[-1])] == [
        "Hà Nội", "Hà Nam", "Hà Giang", "Bà Rịa - Vũng Tàu"
    ]  # fmt: skip
