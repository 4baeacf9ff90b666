"""cand.com.vn, the ministry's newspaper: "HH:MM DD/MM/YYYY", a bare name at the end."""

from __future__ import annotations

from crawler.pages.generic import GenericArticlePage
from crawler.pages.html import ListingPage


class CandArticlePage(GenericArticlePage):
    TITLE_CSS = "h1.titledetail, .titledetail, h1.box-title-detail"
    DATE_CSS = ".timepost, .box-date"
    LEAD_CSS = ".desnews, .box-des-detail"
    BODY_CSS = ".post-content, .detail-content-body"
    CAPTION_CSS = "table.contentimg td.note, figcaption"


class CandListingPage(ListingPage):
    LISTING_CSS = "h2 a, h3 a, .box-title a"
    NEXT_CSS = ".paging a.next"
