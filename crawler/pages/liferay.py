"""Liferay portals (congan.daklak.gov.vn, the older conganhatinh.gov.vn)."""

from __future__ import annotations

from crawler.pages.generic import GenericArticlePage
from crawler.pages.html import ArticlePage, ListingPage


class LiferayArticlePage(GenericArticlePage):
    # Inside .journal-content-article the journal template is the site's own: the
    # title is the first heading there, or the asset publisher's header.
    TITLE_CSS = (
        ".journal-content-article h1, .journal-content-article h2, "
        ".asset-full-content .header-title, h1.header-title"
    )
    DATE_CSS = ".metadata-publish-date, .journal-content-article .date"
    BODY_CSS = ".journal-content-article"
    AUTHOR_CSS = ".metadata-author"
    REMOVE_CSS = ArticlePage.REMOVE_CSS + ", .taglib-ratings-wrapper, .taglib-discussion, h1, h2"


class LiferayListingPage(ListingPage):
    LISTING_CSS = ".asset-abstract .asset-title a, .asset-abstract .asset-more a"
    NEXT_CSS = "ul.lfr-pagination-buttons a, ul.pagination a.page-link"
