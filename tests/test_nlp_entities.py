"""Each rule family of the police-domain layer, on sentences shaped like real police news
(made up here; the real text is measured in tests/test_nlp_quality.py)."""

from __future__ import annotations

import pytest

from crawler.nlp.entities import extract, extract_many, mention_dict, normalized
from crawler.nlp.gazetteer import current_province, places
from crawler.nlp.people import people
from crawler.nlp.resolution import resolve_entities, resolved_name


def found(text: str) -> list[tuple[str, str]]:
    """Outermost mentions, as the annotation guide lists them."""
    return [(m.type, m.text) for m in extract(text) if m.inside is None]


def tree(text: str) -> list[tuple[str, str, str | None]]:
    """Every mention with the text of the one that holds it."""
    mentions = extract(text)
    return [
        (m.type, m.text, None if m.inside is None else mentions[m.inside].text) for m in mentions
    ]


@pytest.mark.parametrize(
    ("text", "rank"),
    [
        ("Đại tướng Tô Lâm phát biểu.", "Đại tướng"),
        ("Thiếu úy Hà Thị Mai hướng dẫn người dân.", "Thiếu úy"),
        ("Hạ sĩ Lò Văn Sính đã kịp thời cứu người.", "Hạ sĩ"),
        ("tạm giữ với thiếu tướng Đỗ Hữu Ca để làm rõ", "thiếu tướng"),
    ],
)
def test_ranks_in_either_case(text: str, rank: str) -> None:
    assert ("RANK", rank) in found(text)


@pytest.mark.parametrize(
    "title",
    [
        "Bí thư Tỉnh ủy",
        "Phó Chủ tịch Thường trực UBND tỉnh",
        "Giám đốc Công an tỉnh",
        "Trưởng Công an huyện Tam Đường",
        "Trưởng Công an phường Tân Hòa",
        "Ủy viên Ban Thường vụ Tỉnh ủy",
        "Ủy viên BTV Tỉnh ủy",
        "Cục trưởng Cục Cảnh sát giao thông",
        "Phó Trưởng phòng Cảnh sát kinh tế",
        "Bộ trưởng Bộ Công an",
        "Trưởng ban Tuyên giáo Tỉnh ủy",
        "Phó cục trưởng Cục Cảnh sát hình sự",
        "Chính trị viên Đồn Biên phòng Sín Thầu",
        "Chỉ huy trưởng Bộ Chỉ huy Bộ đội Biên phòng tỉnh Quảng Trị",
        "Trưởng phòng PC02 Công an tỉnh",
        "Bí thư Đảng ủy",
        "Trưởng đoàn đại biểu Quốc hội tỉnh Điện Biên",
    ],
)
def test_titles_are_the_whole_role_phrase(title: str) -> None:
    assert found(f"Đồng chí Nguyễn Văn An, {title} dự hội nghị.") == [
        ("PER", "Nguyễn Văn An"),
        ("TITLE", title),
    ]


def test_a_chain_of_titles_is_split_at_commas_and_given_to_the_person() -> None:
    text = (
        "Đại tướng Lương Tam Quang – Ủy viên Bộ Chính trị, Bí thư Đảng ủy Công an Trung ương,"
        " Bộ trưởng Bộ Công an chủ trì."
    )
    assert found(text) == [
        ("RANK", "Đại tướng"),
        ("PER", "Lương Tam Quang"),
        ("TITLE", "Ủy viên Bộ Chính trị"),
        ("TITLE", "Bí thư Đảng ủy Công an Trung ương"),
        ("TITLE", "Bộ trưởng Bộ Công an"),
    ]
    person = next(m for m in extract(text) if m.type == "PER")
    assert person.attrs == {
        "rank": "Đại tướng",
        "title": "Ủy viên Bộ Chính trị",
        "more_titles": ["Bí thư Đảng ủy Công an Trung ương", "Bộ trưởng Bộ Công an"],
    }


def test_a_role_before_a_list_is_each_listed_person_s() -> None:
    text = (
        "Dự có các đồng chí Ủy viên Ban TVTU: Nguyễn Văn An, Phó Chủ tịch HĐND tỉnh; "
        "Trần Thị Bình, Phó Chủ tịch UBND tỉnh. Ông Lê Văn Cường phát biểu."
    )
    found_people = people([mention_dict(m) for m in extract(text)])
    assert [(p["name"], p["titles"]) for p in found_people] == [
        ("Nguyễn Văn An", ["Phó Chủ tịch HĐND tỉnh", "Ủy viên Ban TVTU"]),
        ("Trần Thị Bình", ["Phó Chủ tịch UBND tỉnh", "Ủy viên Ban TVTU"]),
        ("Lê Văn Cường", []),
    ]


def test_bare_titles_only_beside_a_person() -> None:
    text = "Thượng tướng Nguyễn Văn Long, Thứ trưởng, Thủ trưởng Cơ quan Cảnh sát điều tra."
    assert ("TITLE", "Thứ trưởng") in found(text)
    assert ("TITLE", "Thủ trưởng Cơ quan Cảnh sát điều tra") in found(text)
    assert not [m for m in found("Thứ trưởng sẽ đến thăm trong tuần.") if m[0] == "TITLE"]
    assert not [m for m in found("có 80 trưởng Công an xã mới") if m[0] == "TITLE"]


@pytest.mark.parametrize(
    "org",
    [
        "Công an xã Tân Lập",
        "Công an phường 3",
        "Công an thị trấn Phú Hòa",
        "Công an TP.HCM",
        "Công an H.Quảng Ninh",
        "Đồn Biên phòng Cửa khẩu Quốc tế Tịnh Biên",
        "Phòng Cảnh sát hình sự Công an tỉnh Lạng Sơn",
        "Cơ quan CSĐT Công an TP Biên Hòa",
        "Đội CSGT số 2",
        "Ban Chỉ huy Bộ đội Biên phòng tỉnh An Giang",
        "Văn phòng Cơ quan Cảnh sát điều tra Công an tỉnh Quảng Trị",
        "Đội Cảnh sát PCCC và CNCH",
        "Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ",
        "Phòng Cảnh sát Cơ động (CSCĐ) Công an tỉnh Gia Lai",
        "Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao",
        "Trung tâm Thông tin Chỉ huy Công an Hà Nội",
        "Phòng Hướng dẫn tuần tra, kiểm soát và đấu tranh phòng, chống tội phạm",
        "Ban Chỉ đạo 138 tỉnh",
        "HĐND tỉnh",
        "Ủy ban nhân dân tỉnh Nghệ An",
        "Tòa án nhân dân cấp cao tại Hà Nội",
        "Ngân hàng Nhà nước Việt Nam",
    ],
)
def test_units_with_their_place_and_parent_are_one_organisation(org: str) -> None:
    assert found(f"Sáng nay, {org} đã tổ chức hội nghị.") == [("ORG", org)]


def test_units_separated_by_punctuation_are_two() -> None:
    assert found("Cơ quan CSĐT, Công an huyện Mê Linh đang điều tra.") == [
        ("ORG", "Cơ quan CSĐT"),
        ("ORG", "Công an huyện Mê Linh"),
    ]
    assert found("Phòng CSGT và Công an xã Lộc Ninh bắt quả tang.") == [
        ("ORG", "Phòng CSGT"),
        ("ORG", "Công an xã Lộc Ninh"),
    ]
    assert found("theo Phòng Cảnh sát hình sự (PC02) cho biết") == [
        ("ORG", "Phòng Cảnh sát hình sự"),
        ("ORG", "PC02"),
    ]


def test_names_do_not_swallow_the_next_word() -> None:
    assert found("Công ty TNHH Minh Phát đã nộp phạt.") == [("ORG", "Công ty TNHH Minh Phát")]
    assert found("Bệnh viện Bạch Mai tiếp nhận hai nạn nhân.") == [("ORG", "Bệnh viện Bạch Mai")]
    assert found("Trường THCS Nguyễn Du tổ chức lễ khai giảng.") == [
        ("ORG", "Trường THCS Nguyễn Du")
    ]
    assert found("Phòng Tổ chức cán bộ Công an tỉnh tổ chức hội nghị.") == [
        ("ORG", "Phòng Tổ chức cán bộ Công an tỉnh")
    ]
    assert found("Cục Cảnh sát giao thông kiểm tra các xe.") == [("ORG", "Cục Cảnh sát giao thông")]


def test_generic_references_are_not_one_unit() -> None:
    text = "bố trí công an chính quy đảm nhiệm các chức danh Công an xã; lực lượng Công an xã"
    assert not [m for m in found(text) if m[0] == "ORG"]
    assert ("ORG", "Công an xã") in found("Nhận tin báo, Công an xã đã đến hiện trường.")


def test_nested_entities_point_at_the_one_that_holds_them() -> None:
    assert tree("Giám đốc Công an tỉnh Lạng Sơn phát biểu.") == [
        ("TITLE", "Giám đốc Công an tỉnh Lạng Sơn", None),
        ("ORG", "Công an tỉnh Lạng Sơn", "Giám đốc Công an tỉnh Lạng Sơn"),
        ("LOC", "Lạng Sơn", "Công an tỉnh Lạng Sơn"),
    ]
    assert tree("Ông A là Ủy viên Bộ Chính trị.")[-2:] == [
        ("TITLE", "Ủy viên Bộ Chính trị", None),
        ("ORG", "Bộ Chính trị", "Ủy viên Bộ Chính trị"),
    ]
    assert ("ORG", "Phòng Cảnh sát hình sự", "Phòng Cảnh sát hình sự Công an tỉnh Yên Bái") in (
        tree("Phòng Cảnh sát hình sự Công an tỉnh Yên Bái vào cuộc.")
    )


@pytest.mark.parametrize(
    "place",
    [
        "xã Đá Mới", "huyện Mường Nhé", "thôn 5", "ấp Rạch Mây", "khu phố 2",
        "tổ dân phố Trung Hòa", "xóm 8", "quốc lộ 1A", "tỉnh lộ 8", "đường Nguyễn Trãi",
        "cầu Rạch Miễu", "TP.Vũng Tàu", "quận 12", "chợ Bình Điền",
    ],
)  # fmt: skip
def test_places_keep_their_type_word(place: str) -> None:
    assert found(f"Vụ việc xảy ra tại {place} vào tối qua.") == [("LOC", place)]


def test_places_are_filed_by_their_name() -> None:
    mentions = {m.text: normalized(m) for m in extract("tại xã Đá Mới, TP.HCM và quốc lộ 1A")}
    assert mentions == {"xã Đá Mới": "Đá Mới", "TP.HCM": "Hồ Chí Minh", "quốc lộ 1A": "quốc lộ 1A"}


def test_lists_after_a_plural_type_word_give_each_name() -> None:
    assert found("địa bàn các huyện Tây Hòa, Sông Hinh và Sơn Hòa") == [
        ("LOC", "Tây Hòa"),
        ("LOC", "Sông Hinh"),
        ("LOC", "Sơn Hòa"),
    ]


def test_streets_named_after_people_are_places() -> None:
    assert found("xô xát trước nhà 64 Võ Thị Sáu (phường Máy Tơ)") == [
        ("LOC", "Võ Thị Sáu"),
        ("LOC", "phường Máy Tơ"),
    ]
    assert found("ở khu vực đường Hoàng Văn Thụ-Hùng Vương") == [
        ("LOC", "đường Hoàng Văn Thụ"),
        ("LOC", "Hùng Vương"),
    ]


def test_places_before_and_after_the_merger() -> None:
    assert found("Tỉnh Nam Định và tỉnh Hà Nam được sáp nhập vào tỉnh Ninh Bình.") == [
        ("LOC", "Tỉnh Nam Định"),
        ("LOC", "tỉnh Hà Nam"),
        ("LOC", "tỉnh Ninh Bình"),
    ]
    assert current_province("Nam Định") == "Ninh Bình"
    assert places()["Đồng Hới"].province_current == "Quảng Trị"
    assert places()["Mộc Châu"].kind == "district"


def test_one_word_places_come_from_the_gazetteer_only() -> None:
    text = "Bão Wipha đổ bộ; người dân cài VNeID tại Huế và Lào."
    assert [m for m in found(text) if m[0] == "LOC"] == [("LOC", "Huế"), ("LOC", "Lào")]


def test_topic_abbreviations_and_vehicles_are_not_places() -> None:
    text = "Đảm bảo ANTT, TTATGT và PCCC; xe máy Honda Wave BKS 29A bị thu giữ."
    assert not [m for m in found(text) if m[0] in ("LOC", "ORG")]


@pytest.mark.parametrize(
    "text",
    [
        "Lực lượng chức năng kiểm tra hiện trường. (Ảnh: Lam Giang)",
        "Các đối tượng tại cơ quan công an. Ảnh: Công an tỉnh Bắc Ninh",
        "Theo Minh Anh (CAND)",
        "Tin, ảnh: Xuân Thu và Văn Huỳnh",
    ],
)
def test_credits_name_no_entity_of_the_story(text: str) -> None:
    assert not [m for m in found(text) if m[0] in ("PER", "ORG", "LOC")]


def test_masked_names_are_not_people() -> None:
    text = "Nguyễn Đức C. (SN 1990) và Trần Văn Tr cùng N.T.T.Tr. bị bắt."
    assert not [m for m in found(text) if m[0] in ("PER", "LOC")]


def test_people_places_and_foreign_names() -> None:
    assert ("PER", "Chen Haiyang") in found("Các đối tượng gồm: Chen Haiyang (sinh năm 1987).")
    assert ("LOC", "Hà Giang") in found("Đoàn công tác đến Hà Giang hôm qua.")
    assert ("PER", "Hà Giang") not in found("Đoàn công tác đến Hà Giang hôm qua.")
    assert found("Tổng thống Mỹ Donald Trump gặp Chủ tịch UBND tỉnh Lê Văn Hưởng.") == [
        ("TITLE", "Tổng thống Mỹ"),
        ("PER", "Donald Trump"),
        ("TITLE", "Chủ tịch UBND tỉnh"),
        ("PER", "Lê Văn Hưởng"),
    ]


def test_person_role_links_and_one_entity_per_person() -> None:
    text = (
        "Đại tá Phạm Văn Long, Giám đốc Công an tỉnh phát biểu. "
        "Đồng chí Bí thư Tỉnh ủy Phạm Gia Túc ghi nhận. Đại tá Phạm Văn Long cảm ơn."
    )
    mentions = [mention_dict(m) for m in extract(text)]
    assert people(mentions) == [
        {"name": "Phạm Văn Long", "rank": "Đại tá", "titles": ["Giám đốc Công an tỉnh"],
         "mentions": 2},
        {"name": "Phạm Gia Túc", "rank": None, "titles": ["Bí thư Tỉnh ủy"], "mentions": 1},
    ]  # fmt: skip


def test_given_names_are_people_in_general_news_not_in_police_news() -> None:
    general = "Chị Lan và anh Tuấn cùng con về quê ăn Tết."
    assert {("PER", "Lan"), ("PER", "Tuấn")} <= set(found(general))
    police = "Chị Lan và anh Tuấn đã trình báo Công an xã Tân Lập."
    assert not [m for m in found(police) if m[0] == "PER"]
    # The article decides: a police article's paragraph without police words is police news.
    paragraphs = ["Công an xã Tân Lập đã vào cuộc.", "Chị Lan cho biết đã mất 20 triệu đồng."]
    assert not [m for m in extract_many(paragraphs, [True, True])[1] if m.type == "PER"]


def test_a_long_run_of_names_is_read_not_a_crash() -> None:
    mentions = extract("Bộ Công an " * 2000)  # 22,000 characters, no sentence end
    orgs = [m for m in mentions if m.type == "ORG" and m.text == "Bộ Công an"]
    assert len(orgs) >= 1990  # but where the text is cut into parts for the models
    assert mentions[0].inside is None


def test_a_paragraph_read_in_parts_keeps_offsets_and_nesting() -> None:
    sentence = "Giám đốc Công an tỉnh Lạng Sơn gặp Đại tá Nguyễn Văn An tại xã Tân Lập. "
    text = sentence * 200  # 14,000 characters: read in parts
    mentions = extract(text)
    assert len(mentions) == 200 * len(extract(sentence))
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text
        if mention.inside is not None:
            holder = mentions[mention.inside]
            assert holder.start <= mention.start
            assert mention.end <= holder.end


def test_an_honorific_before_a_birth_year_is_not_part_of_the_name() -> None:
    assert ("PER", "Trần Văn Nam") in found("Ông Trần Văn Nam (SN 1970) bị bắt.")


def test_a_former_role_after_a_dash_is_the_person_s() -> None:
    person = extract("Ông Đỗ Hữu Ca - nguyên Giám đốc Công an TP Hải Phòng bị tạm giữ.")[0]
    assert person.attrs == {"title": "Giám đốc Công an TP Hải Phòng"}


def test_common_words_are_not_names() -> None:
    text = "Đồng chí Trần Anh Dũng trao Cờ thi đua và Bằng khen; Toàn dân tham gia."
    assert [m.text for m in extract(text) if m.type == "PER"] == ["Trần Anh Dũng"]


def test_old_tone_marks_match_as_the_modern_ones() -> None:
    assert found("Phó Bí thư Thường trực Tỉnh uỷ Trần Văn Hoà dự lễ.") == [
        ("TITLE", "Phó Bí thư Thường trực Tỉnh uỷ"),
        ("PER", "Trần Văn Hoà"),
    ]


def test_relative_organisations_resolve_with_the_article_province() -> None:
    assert resolved_name("Công an tỉnh", "Nam Định") == "Công an tỉnh Nam Định"
    assert resolved_name("Tỉnh ủy", "Lai Châu") == "Tỉnh ủy Lai Châu"
    assert resolved_name("Tỉnh ủy", "Hà Nội") == "Thành ủy Hà Nội"
    assert resolved_name("Phòng Cảnh sát hình sự Công an tỉnh", "Sơn La") == (
        "Phòng Cảnh sát hình sự Công an tỉnh Sơn La"
    )
    assert resolved_name("Công an tỉnh Lạng Sơn", "Nam Định") is None
    assert resolved_name("Công an huyện", "Nam Định") is None  # which district is not known
    entities = [mention_dict(m) for m in extract("Giám đốc Công an tỉnh dự họp.")]
    entities = resolve_entities(entities, "Nam Định", "Ninh Bình")
    org = next(e for e in entities if e["type"] == "ORG")
    assert org["inside"] == 0
    assert (org["resolved"], org["resolved_current"]) == (
        "Công an tỉnh Nam Định",
        "Công an tỉnh Ninh Bình",
    )
