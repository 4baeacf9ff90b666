"""Unknown layouts: trafilatura finds the main text; a site's selectors still win."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cached_property
from urllib.parse import urljoin, urlsplit

from trafilatura import bare_extraction

from crawler.dates import VIETNAM_TZ
from crawler.pages.html import NOT_ARTICLE_URL, ArticlePage, ListingPage

# Article URLs on the portals: a numeric id, a long slug, or a CMS suffix.
ARTICLE_URL = re.compile(
    r"(?:-\d{2,}|/\d{3,})(?:\.html?|/)?$|\.(?:html?|catp|prt|aspx)$|/[^/]*(?:-[^/-]+){4,}/?$"
)


class GenericArticlePage(ArticlePage):
    BODY_CSS = ""

    @cached_property
    def extracted(self) -> dict:
        document = bare_extraction(
            self.html,
            url=self.url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
            deduplicate=True,
        )
        return document.as_dict() if document else {}

    @property
    def title(self) -> str:
        return self.first_text("title") or self.extracted.get("title") or super().title

    @cached_property
    def paragraphs(self) -> list[str]:
        if self.css("body"):
            return super().paragraphs
        text = self.extracted.get("text") or ""
        lines = (" ".join(line.split()) for line in text.splitlines())
        return [line for line in lines if line and line != self.title]

    @property
    def published(self) -> tuple[datetime, str] | None:
        """Markup first, then trafilatura's date (htmldate), then a date in the text."""
        if found := self.markup_date():
            return found
        if self.extracted.get("date"):
            day = datetime.fromisoformat(self.extracted["date"])
            return day.replace(tzinfo=VIETNAM_TZ), "day"
        return self.text_date()


class GenericListingPage(ListingPage):
    LISTING_CSS = "a[href]"
    NEXT_CSS = 'a[rel="next"], .pagination a, .paging a, .pager a'

    def article_urls(self) -> list[str]:
        """Links on the same host whose URL has the shape of an article."""
        host = urlsplit(self.url).netloc
        urls = []
        for href in self.select("a::attr(href)"):
            url = urljoin(self.url, href).split("#")[0]
            parts = urlsplit(url)
            if parts.netloc != host or NOT_ARTICLE_URL.search(url):
                continue
            if ARTICLE_URL.search(parts.path):
                urls.append(url)
        return list(dict.fromkeys(urls))
