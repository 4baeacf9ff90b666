"""Extraction profiles: the page classes of each CMS family, by registry name."""

from __future__ import annotations

from crawler.pages.cand import CandArticlePage, CandListingPage
from crawler.pages.generic import GenericArticlePage, GenericListingPage
from crawler.pages.html import ArticlePage, ListingPage, decode_html
from crawler.pages.legacy_portal import LegacyPortalArticlePage, LegacyPortalListingPage
from crawler.pages.liferay import LiferayArticlePage, LiferayListingPage
from crawler.pages.nukeviet import NukeVietArticlePage, NukeVietListingPage
from crawler.pages.wordpress import WordPressArticlePage, WordPressListingPage

PROFILES: dict[str, tuple[type[ArticlePage], type[ListingPage]]] = {
    "nukeviet": (NukeVietArticlePage, NukeVietListingPage),
    "wordpress": (WordPressArticlePage, WordPressListingPage),
    "liferay": (LiferayArticlePage, LiferayListingPage),
    "legacy_portal": (LegacyPortalArticlePage, LegacyPortalListingPage),
    "cand": (CandArticlePage, CandListingPage),
    "generic": (GenericArticlePage, GenericListingPage),
}


def article_page_class(profile: str) -> type[ArticlePage]:
    return PROFILES[profile][0]


def listing_page_class(profile: str) -> type[ListingPage]:
    return PROFILES[profile][1]


_SIGNATURES = (
    ("nukeviet", ('content="NukeViet', 'id="news-bodyhtml"')),
    ("wordpress", ('content="WordPress', "wp-content/", 'class="entry-content"')),
    ("liferay", ("journal-content-article", "/-/asset_publisher/")),
    ("legacy_portal", ('class="TieuDeTin"',)),
    ("cand", ('class="titledetail"', 'class="box-title-detail"')),
)


def detect_profile(html: str) -> str:
    """The CMS family a saved page looks like, from its generator tag or markup."""
    for profile, marks in _SIGNATURES:
        if any(mark in html for mark in marks):
            return profile
    return "generic"


def saved_article_page(url: str, body: bytes, encoding: str | None = None) -> ArticlePage:
    """The page object for a page of unknown origin: the CMS family its markup shows, or
    the generic reader when it shows none or its family's selectors find no article."""
    profile = detect_profile(decode_html(body, encoding))
    page = article_page_class(profile)(url=url, body=body, encoding=encoding)
    if profile != "generic" and page.refusal():
        return GenericArticlePage(url=url, body=body, encoding=encoding)
    return page
