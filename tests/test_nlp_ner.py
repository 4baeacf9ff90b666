from __future__ import annotations

from crawler.nlp.ner import extract_entities

LEAD = (
    "Đồng chí Phạm Gia Túc, Ủy viên BCH Trung ương Đảng, Bí thư Tỉnh ủy; các đồng chí "
    "Ủy viên Ban TVTU: Nguyễn Phùng Hoan, Phó Chủ tịch Thường trực HĐND tỉnh; Trần Anh "
    "Dũng, Phó Chủ tịch Thường trực UBND tỉnh; Đại tá Phạm Văn Long, Giám đốc Công an tỉnh"
)


def test_people_are_found_with_exact_offsets() -> None:
    entities = extract_entities(LEAD)
    people = [e for e in entities if e.type == "PER"]
    assert [e.text for e in people] == [
        "Phạm Gia Túc",
        "Nguyễn Phùng Hoan",
        "Trần Anh Dũng",
        "Phạm Văn Long",
    ]
    for entity in entities:
        assert LEAD[entity.start : entity.end] == entity.text


def test_rank_is_not_glued_to_the_name() -> None:
    entities = extract_entities("Đại tá Phạm Văn Long, Giám đốc Công an tỉnh phát biểu.")
    assert ("Phạm Văn Long", "PER") in [(e.text, e.type) for e in entities]
    assert all("Đại tá" not in e.text for e in entities if e.type == "PER")


def test_empty_text_has_no_entities() -> None:
    assert extract_entities("  ") == []
