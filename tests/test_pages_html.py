from __future__ import annotations

import pytest

from crawler.pages.html import canonicalize, decode_html
from crawler.pages.liferay import LiferayArticlePage, LiferayListingPage
from crawler.pages.nukeviet import NukeVietListingPage
from crawler.pages.profiles import detect_profile
from testkit.sites import markup
from testkit.sites.catalog import CAND, LAICHAU, QUANGBINH, THAIBINH
from tests.conftest import PROJECT

TEXT = "Công an tỉnh Thái Bình khởi tố vụ án"
LEGACY = markup.encode_windows_1258(TEXT)


@pytest.mark.parametrize(
    ("body", "declared"),
    [
        (TEXT.encode(), "utf-8"),
        (TEXT.encode(), "iso-8859-1"),  # labelled Latin-1, really UTF-8
        (LEGACY, "windows-1258"),
        (LEGACY, "utf-8"),  # labelled UTF-8, really windows-1258
        (LEGACY, None),
    ],
)
def test_decode_html_gives_unicode_whatever_the_label(body: bytes, declared) -> None:
    assert decode_html(body, declared) == TEXT


def test_decode_html_composes_windows_1258_tone_marks() -> None:
    # "Khởi" in windows-1258: "ơ" precomposed, the hook above as a combining mark.
    assert decode_html("Kh\u01a1\u0309i".encode("cp1258"), "windows-1258") == "Khởi"


@pytest.mark.parametrize(
    ("html", "profile"),
    [
        (markup.nukeviet_article(LAICHAU[0], "http://x"), "nukeviet"),
        (markup.wordpress_article(QUANGBINH[0], "http://x"), "wordpress"),
        (markup.legacy_article(THAIBINH[0]), "legacy_portal"),
        (markup.cand_article(CAND[0]), "cand"),
        ('<div class="journal-content-article"><h2>T</h2></div>', "liferay"),
        ("<html><body><p>Trang lạ</p></body></html>", "generic"),
    ],
)
def test_detect_profile(html: str, profile: str) -> None:
    assert detect_profile(html) == profile


def test_canonicalize_drops_liferay_redirects_and_tracking() -> None:
    url = "https://Congan.DakLak.gov.vn/-/asset_publisher/x/content/bai-1?redirect=%2Fweb&utm_source=f&p=2#top"
    assert canonicalize(url) == "https://congan.daklak.gov.vn/-/asset_publisher/x/content/bai-1?p=2"


# Liferay has no fixture site of its own: a saved article and listing in its markup.
LIFERAY_ARTICLE = (PROJECT / "testkit" / "sites" / "liferay_article.html").read_bytes()
LIFERAY_LISTING = (PROJECT / "testkit" / "sites" / "liferay_listing.html").read_bytes()


def test_liferay_article_and_listing() -> None:
    page = LiferayArticlePage(url="https://congan.daklak.gov.vn/x", body=LIFERAY_ARTICLE)
    item = page.to_item()
    assert item.title == "Công an Đắk Lắk ra quân trấn áp tội phạm"
    assert item.body[0].startswith("Sáng 15-1, Công an tỉnh Đắk Lắk")
    assert "Đánh giá" not in " ".join(item.body)
    assert item.published == "2024-01-15T00:00:00+07:00"
    assert item.language == "vi"
    listing = LiferayListingPage(url="https://congan.daklak.gov.vn/web/guest/tin-tuc",
                                 body=LIFERAY_LISTING)  # fmt: skip
    assert len(listing.article_urls()) == 2
    assert listing.next_urls() == [
        "https://congan.daklak.gov.vn/web/guest/tin-tuc?_101_INSTANCE_Ab1_cur=2"
    ]


def test_nukeviet_listing_survives_the_unclosed_li() -> None:
    pages = ["/cat/", "/cat/page-2/", "/cat/page-3/"]
    html = markup.nukeviet_listing("Cat", [("A", "/cat/a-1.html")], pages, 2)
    listing = NukeVietListingPage(url="http://x/cat/page-2/", body=html.encode())
    assert listing.article_urls() == ["http://x/cat/a-1.html"]
    assert set(listing.next_urls()) == {"http://x/cat/", "http://x/cat/page-3/"}


def test_selector_override_from_the_registry_wins() -> None:
    html = "<h1>Menu</h1><div class='tieu-de'>Tiêu đề thật</div>"
    page = LiferayArticlePage(url="http://x", body=html.encode(), selectors={"title": ".tieu-de"})
    assert page.title == "Tiêu đề thật"


def test_site_date_format_reads_an_unusual_date() -> None:
    html = "<h1>Tiêu đề</h1><article><p>Nội dung.</p></article><span class='d'>2024年3月27日</span>"
    page = LiferayArticlePage(url="http://x", body=html.encode(),
                              selectors={"date": ".d"}, date_format="%Y年%m月%d日")  # fmt: skip
    value, precision = page.published
    assert (value.isoformat(), precision) == ("2024-03-27T00:00:00+07:00", "day")
