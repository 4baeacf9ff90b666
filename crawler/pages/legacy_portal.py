"""The custom Java portal of about 2015 (conganthaibinh.gov.vn)."""

from __future__ import annotations

from crawler.pages.generic import GenericArticlePage
from crawler.pages.html import ListingPage


class LegacyPortalArticlePage(GenericArticlePage):
    TITLE_CSS = "div.TieuDeTin"
    DATE_CSS = "p.NgayCapNhat"
    LEAD_CSS = "span.MoTa"
    BODY_CSS = "span.news-detail"
    AUTHOR_CSS = "div.Tacgia"


class LegacyPortalListingPage(ListingPage):
    LISTING_CSS = "div#Tin_Trong_DM div.TinCT p.title a"
    NEXT_CSS = "div.phantrang_repeater a.page_link"
