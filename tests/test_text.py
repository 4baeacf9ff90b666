from __future__ import annotations

import re

import pytest

from crawler.text import (
    expand_abbreviations,
    fold,
    is_caption,
    modern_spelling,
    normalize_text,
    normalize_token,
    parse_credit,
    split_lead_in,
    split_paragraphs,
    strip_controls,
)
from tests.conftest import SEED


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Hoà bình", "Hòa bình"),
        ("thuỷ lợi, Uỷ ban", "thủy lợi, Ủy ban"),
        ("Công\u00a0an  tỉnh", "Công an tỉnh"),
        ("an\u200b ninh\u00ad", "an ninh"),
        ("Co\u0302ng an", "Công an"),  # decomposed (NFD) input becomes NFC
        ("“Vì an ninh Tổ quốc”", "“Vì an ninh Tổ quốc”"),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\x1b[2J\x1b[31mCông an\x1b[0m tỉnh", "Công an tỉnh"),  # clear screen, colours
        ("\x1b]8;;https://evil.example\x07Bấm vào\x1b]8;;\x07 đây", "Bấm vào đây"),  # OSC 8
        ("\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"),  # ST-ended
        ("\x1b]0;title never ended", "0;title never ended"),  # no terminator: ESC goes
        ("\x1b(Bcông an\x1bc", "công an"),  # charset, reset
        ("chuông\x07 reo\x00", "chuông reo"),  # bell, NUL
        ("an\x0bninh\x0ctổ\x1cquốc", "an ninh tổ quốc"),  # control whitespace: a space
        ("x\x9b31my\x85z\x90", "xy z"),  # C1: CSI, next line, DCS
        ("\u202eabc\u202c và \u2067xyz\u2069", "abc và xyz"),  # bidi override, isolate
        ("\u200fHà\u200e Nội\u061c", "Hà Nội"),  # bidi marks
        ("dòng một\ndòng hai\r\ndòng ba\rdòng bốn", "dòng một\ndòng hai\ndòng ba\ndòng bốn"),
        ("cột\tmột", "cột một"),  # a tab is a space, as before
        ("an\u200d ninh", "an ninh"),  # zero-width joiner: dropped, as before
    ],
)
def test_normalize_text_strips_what_drives_a_terminal(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Công an tỉnh Hoà Bình", "Công an tỉnh Hoà Bình"),  # printable text: itself
        ("a\tb\nc", "a\tb\nc"),  # tab and newline kept
        ("a\x1b[1mb\x07\u202ec", "abc"),
    ],
)
def test_strip_controls_keeps_text_newlines_and_tabs(raw: str, expected: str) -> None:
    assert strip_controls(raw) == expected


def test_normalized_article_has_no_control_character_in_any_text_field() -> None:
    from crawler.items import Article
    from pipelines.normalize import normalize_article

    item = normalize_article(
        Article(
            id="x",
            url="https://congan.sonla.gov.vn/x.html",
            source="site",
            title="\x1b[2JCảnh báo\x07 lừa đảo\u202e",
            lead="\x1b]8;;https://e.example\x07Tin\x1b]8;;\x07",
            body=["\x1b[31mđoạn một\x1b[0m", "\x07"],
            captions=["ảnh\x9b2J"],
            authors=["\u2066Minh\u2069"],
            category=["An ninh\x1b[5m"],
            tags=["\x07"],
            images=[{"url": "u", "caption": "ảnh\x07"}],
        )
    )
    assert (item.title, item.lead, item.body) == ("Cảnh báo lừa đảo", "Tin", ["đoạn một"])
    assert (item.captions, item.authors) == (["ảnh"], ["Minh"])
    assert (item.category, item.tags, item.images[0]["caption"]) == (["An ninh"], [], "ảnh")


def test_normalization_is_underthesea_token_normalize_word_for_word() -> None:
    from underthesea.pipeline.text_normalize.text_normalizer import token_map
    from underthesea.pipeline.text_normalize.token_normalize import token_normalize

    text = SEED.read_text(encoding="utf-8") + " ".join(token_map)
    text += " ðơì Ðào ðườngxa thừơng Thoã hoà QUI qui quí Uỷ_ban khoẻ-mạnh"
    text = " ".join(text.split())
    words = re.findall(r"\w+", text)
    assert [normalize_token(w) for w in words] == [token_normalize(w) for w in words]
    expected = re.sub(r"\w+", lambda m: token_normalize(m.group()), text)
    assert normalize_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("an ninh Tổ quốc", "an ninh To quoc"),
        ("Đồng chí Phạm Gia Túc", "Dong chi Pham Gia Tuc"),
        ("đường", "duong"),
        ("Hà Nội 2022", "Ha Noi 2022"),
    ],
)
def test_fold_removes_diacritics_and_keeps_length(text: str, expected: str) -> None:
    assert fold(text) == expected
    assert len(fold(text)) == len(text)


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        ("Tin, ảnh: Xuân Thu và Văn Huỳnh", ["Xuân Thu", "Văn Huỳnh"]),
        ("Tin, ảnh: THÀNH TRUNG", ["Thành Trung"]),
        ("Tác giả: Ngọc Minh - Nguồn: Báo Công an nhân dân", ["Ngọc Minh"]),
        ("Bài, ảnh: Hoàng Lâm, Minh Đức", ["Hoàng Lâm", "Minh Đức"]),
        ("Nguyễn Văn An", ["Nguyễn Văn An"]),
        ("Tại hội nghị, 2 tập thể được nhận Cờ Thi đua./.", None),
        ("Công an tỉnh tổ chức hội nghị tổng kết năm 2021.", None),
    ],
)
def test_parse_credit(line: str, authors: list[str] | None) -> None:
    assert parse_credit(line) == authors


def test_seed_captions_are_told_from_body() -> None:
    paragraphs = split_paragraphs(SEED.read_text(encoding="utf-8"))[1:-1]
    captions = [p for p in paragraphs if is_caption(p)]
    assert [c.split()[:3] for c in captions] == [
        ["Đồng", "chí", "Bí"],
        ["Đồng", "chí", "Bí"],
        ["Thay", "mặt", "Tỉnh"],
        ["Đồng", "chí", "Trần"],
        ["Lãnh", "đạo", "Bộ"],
    ]
    assert not is_caption(paragraphs[0])
    assert not is_caption(paragraphs[-1])


def test_split_paragraphs_joins_lines_and_drops_blanks() -> None:
    assert split_paragraphs("a\nb\n\n\n  \nc\r\n\r\nd") == ["a b", "c", "d"]


@pytest.mark.parametrize(
    ("paragraph", "tag", "rest"),
    [
        ("(CAO) Công an tỉnh vừa bắt giữ", "CAO", "Công an tỉnh vừa bắt giữ"),
        ("(QNO) - Sáng nay, Công an", "QNO", "Sáng nay, Công an"),
        ("ANTĐ - Rạng sáng 8-6", "ANTĐ", "Rạng sáng 8-6"),
        ("TPO - Ngày 2-3", "TPO", "Ngày 2-3"),
        ("UBND tỉnh đã ban hành", None, "UBND tỉnh đã ban hành"),
        ("(SN 1995) là đối tượng", None, "(SN 1995) là đối tượng"),
    ],
)
def test_split_lead_in(paragraph: str, tag: str | None, rest: str) -> None:
    assert split_lead_in(paragraph) == (tag, rest)


def test_expand_abbreviations_once_each() -> None:
    assert expand_abbreviations("UBND tỉnh, HĐND tỉnh và UBND huyện; lực lượng CSGT") == [
        "Ủy ban nhân dân",
        "Hội đồng nhân dân",
        "Cảnh sát giao thông",
    ]


def test_spelled_out_forms_gain_their_abbreviation() -> None:
    text = "Phòng cháy chữa cháy ở thành phố; Công an tỉnhX và CSGT"
    assert expand_abbreviations(text) == ["Cảnh sát giao thông", "PCCC", "TP"]


def test_modern_spelling_keeps_every_offset() -> None:
    text = "Tỉnh uỷ Khánh Hoà, thuỷ lợi và 08:30 sáng"
    assert modern_spelling(text) == "Tỉnh ủy Khánh Hòa, thủy lợi và 08:30 sáng"
    assert len(modern_spelling(text)) == len(text)
