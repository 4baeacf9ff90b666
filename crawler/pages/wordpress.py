"""WordPress-like portals (conganquangbinh.gov.vn, congan.sonla.gov.vn)."""

from __future__ import annotations

from crawler.pages.generic import GenericArticlePage
from crawler.pages.html import ArticlePage, ListingPage


class WordPressArticlePage(GenericArticlePage):
    TITLE_CSS = "h1.entry-title, article h1"
    DATE_CSS = "time.entry-date, time.published"
    BODY_CSS = ".entry-content"
    AUTHOR_CSS = ".byline a[rel=author], .author.vcard"
    CATEGORY_CSS = ".cat-links a"
    REMOVE_CSS = ArticlePage.REMOVE_CSS + ", .sharedaddy, .jp-relatedposts, .post-views"


class WordPressListingPage(ListingPage):
    LISTING_CSS = "h2.entry-title a, h3.entry-title a"
    NEXT_CSS = "a.next.page-numbers, .nav-links a.page-numbers"
