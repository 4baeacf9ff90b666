from __future__ import annotations

from datetime import datetime

import pytest

from crawler.dates import VIETNAM_TZ
from crawler.manifest import ManifestError, SeedMeta, load_manifest
from crawler.pages.seed import SeedArticlePage, SeedFormatError
from tests.conftest import SEED

# A legacy Windows-1258 file: Vietnamese letters as base letter + combining mark bytes.
WINDOWS_1258 = " date 2022-01 Ti\u00eau \u0111\u00ea\u0300\n\nC\u00f4ng an".encode("cp1258")
FETCHED = datetime(2026, 11, 24, 8, 0, tzinfo=VIETNAM_TZ)


def page(body: bytes, name: str = "x.txt", meta: SeedMeta | None = None) -> SeedArticlePage:
    return SeedArticlePage(name=name, body=body, meta=meta or SeedMeta(), fetched_at=FETCHED)


@pytest.fixture(scope="module")
def seed_article():
    meta = load_manifest(SEED.parent / "manifest.yaml")[SEED.name]
    return page(SEED.read_bytes(), SEED.name, meta).to_item()


def test_seed_header_gives_title_and_refined_date(seed_article) -> None:
    assert seed_article.title.startswith('Phát động phong trào thi đua "Vì an ninh Tổ quốc"')
    assert seed_article.published == "2022-01-04T00:00:00+07:00"
    assert seed_article.published_precision == "day"
    assert "2022-01-04" in seed_article.event_dates


def test_seed_credit_captions_and_body(seed_article) -> None:
    assert seed_article.authors == ["Xuân Thu", "Văn Huỳnh"]
    assert len(seed_article.captions) == 5
    assert all("lẵng hoa" not in p for p in seed_article.body)
    assert seed_article.body[0].startswith("Sáng 4-1, Công an tỉnh")
    assert seed_article.body[-1].endswith("Giấy khen./.")
    assert not any(p.startswith("Tin, ảnh") for p in seed_article.body)


def test_seed_manifest_facts(seed_article) -> None:
    assert seed_article.province == "Nam Định"
    assert seed_article.province_current == "Ninh Bình"
    assert seed_article.source == "seed"
    assert seed_article.fetched_at == "2026-11-24T08:00:00+07:00"


def test_seed_id_is_stable_and_follows_the_url() -> None:
    body = SEED.read_bytes()
    first, again = page(body, SEED.name).to_item(), page(body, SEED.name).to_item()
    assert first.id == again.id
    with_url = page(body, SEED.name, SeedMeta(url="https://congan.namdinh.gov.vn/a.html"))
    assert with_url.to_item().id != first.id
    assert with_url.to_item().url == "https://congan.namdinh.gov.vn/a.html"


def test_month_precision_when_the_text_has_no_day() -> None:
    article = page(" date 2021-11 Tiêu đề\n\nCông an tỉnh tổng kết.\n".encode()).to_item()
    assert article.published == "2021-11-01T00:00:00+07:00"
    assert article.published_precision == "month"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "bad.txt: empty file"),
        (b"  \n\n", "bad.txt: empty file"),
        (b"Just a paragraph without header\n\nMore.", "bad.txt: first line must be"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "bad.txt: binary file"),
        (WINDOWS_1258, "bad.txt: not UTF-8 text"),
        (b" date 2022-13 Title\n\nBody.", "bad.txt: header month 13"),
        (b" date 2022-01 Title only\n", "bad.txt: no paragraphs"),
    ],
)
def test_malformed_seed_names_file_and_reason(body: bytes, reason: str) -> None:
    with pytest.raises(SeedFormatError, match=reason.replace(".", r"\.")):
        page(body, "bad.txt").to_item()


def test_manifest_rejects_unknown_field(tmp_path) -> None:
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text("seeds:\n  a.txt:\n    provnice: Huế\n", encoding="utf-8")
    with pytest.raises(ManifestError, match=r"entry 'a.txt' has unknown field\(s\) \['provnice'\]"):
        load_manifest(manifest)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{provnice: Huế, 1: x}", "entry 'a.txt' has unknown field(s) ['1', 'provnice']; allowed:"),
        ("{site: 3}", "entry 'a.txt' field 'site' must be text"),
        ("{url: [https://congan.x.gov.vn/a.html]}", "entry 'a.txt' field 'url' must be text"),
        ("congan.x.gov.vn", "entry 'a.txt' must be a mapping"),
    ],
)
def test_bad_manifest_entry_names_file_entry_and_field(tmp_path, entry, message) -> None:
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(f"seeds:\n  a.txt: {entry}\n", encoding="utf-8")
    with pytest.raises(ManifestError) as caught:
        load_manifest(manifest)
    assert str(caught.value).startswith(f"{manifest}: {message}")
    assert "\n" not in str(caught.value)


def test_manifest_entry_may_be_empty_or_partial(tmp_path) -> None:
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text("seeds:\n  a.txt:\n  b.txt: {province: Huế, url: null}\n", "utf-8")
    assert load_manifest(manifest) == {"a.txt": SeedMeta(), "b.txt": SeedMeta(province="Huế")}
