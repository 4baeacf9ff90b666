"""NukeViet 4.x/5 news module (congan.laichau.gov.vn, conganbackan.vn)."""

from __future__ import annotations

from crawler.pages.generic import GenericArticlePage
from crawler.pages.html import ListingPage


class NukeVietArticlePage(GenericArticlePage):
    TITLE_CSS = "h1[itemprop=headline], .news_column h1.title, h1.title"
    # The visible "Thứ tư - 27/03/2024 08:42" is the real publish time; the meta tag is
    # malformed (PHP's T) and the microdata holds the edit time.
    DATE_CSS = ".news_column .panel-body .row span.h5, em.time"
    # The mobile theme's #hometext also holds the lead photo and its caption.
    LEAD_CSS = ".hometext, #hometext [itemprop=description]"
    BODY_CSS = "#news-bodyhtml, .bodytext"
    AUTHOR_CSS = "p.h5.text-right:first-child, .author"
    CATEGORY_CSS = "ul.breadcrumbs li:last-child a"
    TAGS_CSS = '.news_column a[href*="/tag/"]'
    # The lead picture sits in div.clearfix beside .hometext, before the body.
    CONTAINER_CSS = "div.news_column[itemscope]"


class NukeVietListingPage(ListingPage):
    LISTING_CSS = (
        ".news_column .panel-body h3 a, .news_column .featured h2 a, "
        ".list-group a.show, .thumbnail .caption h4 a"
    )
    NEXT_CSS = "ul.pagination a"
