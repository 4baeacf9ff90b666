"""Extraction profiles: the page classes of each CMS family, by registry name."""

from __future__ import annotations

from crawler.pages.cand import CandArticlePage, CandListingPage
from crawler.pages.generic import GenericArticlePage, GenericListingPage
from crawler.pages.html import ArticlePage, ListingPage
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
