"""Unknown layouts: the generic reader finds each field; a site's selectors still win."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cached_property
from urllib.parse import urljoin, urlsplit

from crawler.dates import parse_datetime
from crawler.items import Article
from crawler.pages.html import NOT_ARTICLE_URL, PUBLISHER, ArticlePage, ListingPage, _text
from crawler.pages.metadata import (
    breadcrumb_names,
    json_ld,
    ld_article,
    names_of,
    person_names,
    split_site_name,
)
from crawler.pages.reader import Reader, credit_names, is_furniture

# Article URLs on the portals: a numeric id, a long slug, or a CMS suffix.
ARTICLE_URL = re.compile(
    r"(?:-\d{2,}|/\d{3,})(?:\.html?|/)?$|\.(?:html?|catp|prt|aspx)$|/[^/]*(?:-[^/-]+){4,}/?$"
)
_HOME = re.compile(r"^(?:Trang chủ|Trang nhất|Home|Trang Chủ|TRANG CHỦ)$", re.IGNORECASE)
_PUBLISHED_META = (
    "article:published_time", "og:published_time", "datePublished", "pubdate", "publishdate",
    "publish-date", "article.published", "dc.date.issued", "DC.date.issued", "date",
)  # fmt: skip


class GenericArticlePage(ArticlePage):
    BODY_CSS = ""

    @cached_property
    def ld(self) -> list[dict]:
        return json_ld(self.root)

    @cached_property
    def ld_article(self) -> dict:
        return ld_article(self.ld)

    @cached_property
    def site_names(self) -> list[str]:
        names = [self.meta("og:site_name") or "", self.meta("application-name") or ""]
        names += names_of(self.ld_article.get("publisher"))
        return [n for n in names if n]

    @cached_property
    def title_hints(self) -> list[str]:
        """Headlines the metadata gives, the site's name taken off."""
        raw = [
            self.ld_article.get("headline")
            if isinstance(self.ld_article.get("headline"), str)
            else "",
            self.meta("og:title") or "",
            self.meta("twitter:title") or "",
            self.first("title::text") or "",
        ]
        return [split_site_name(t, self.site_names) for t in raw if t and t.strip()]

    @cached_property
    def reader(self) -> Reader:
        return Reader(self.root, self.title_hints)

    @cached_property
    def title(self) -> str:
        if self.css("title") and self.selectors.get("title"):
            return self.first_text("title")
        return self.reader.title

    @cached_property
    def lead(self) -> str | None:
        return self.reader.parts[0]

    @cached_property
    def paragraphs(self) -> list[str]:
        return self.reader.parts[1]

    @cached_property
    def credit(self) -> tuple[list[str], list[str]]:
        """Authors: the byline element, the credit line, else the JSON-LD author."""
        _, body, from_text, _ = self.reader.parts
        authors = self.reader.byline or from_text
        if not authors:
            for name in person_names(self.ld_article.get("author")):
                authors += credit_names(name) or []
        if not authors and (meta := self.meta("author")) and not self._is_site_name(meta):
            authors = credit_names(meta) or []
        return authors, body

    def _is_site_name(self, name: str) -> bool:
        return (
            bool(PUBLISHER.search(name))
            or any(name.strip().lower() == n.strip().lower() for n in self.site_names)
            or bool(re.search(r"\.(?:vn|com)|Báo|Cổng|Ban biên tập", name))
        )

    @property
    def credited_source(self) -> str | None:
        return self.reader.parts[3]

    @property
    def captions(self) -> list[str]:
        return self.reader.captions

    @property
    def images(self) -> list[dict[str, str]]:
        base = self.canonical_url
        return [
            {"url": urljoin(base, src), "caption": caption}
            for src, caption in self.reader.caption_images
            if src and not src.startswith("data:")
        ]

    @property
    def published(self) -> tuple[datetime, str] | None:
        """Machine-readable first (JSON-LD, meta, microdata, <time>), the visible date
        nearest the headline when those are missing or lack the time of day."""
        machine = self.machine_date()
        visible = self.reader.visible_date()
        if machine and machine[1] == "minute":
            return machine
        if machine and visible and visible[0].date() == machine[0].date():
            return visible
        return machine or visible or self.text_date()

    def machine_date(self) -> tuple[datetime, str] | None:
        candidates = [self.ld_article.get("datePublished")]
        candidates += [self.meta(name) for name in _PUBLISHED_META]
        for node in self.select('[itemprop="datePublished"]'):
            candidates.append(
                node.attrib.get("content") or node.attrib.get("datetime") or _text(node)
            )
        for node in self.select("time[datetime]"):
            if not any(is_furniture(a) for a in node.iterancestors()):
                candidates.append(node.attrib["datetime"])
        for value in candidates:
            if isinstance(value, str) and (parsed := parse_datetime(value)):
                return parsed
        return None

    @property
    def category(self) -> list[str]:
        crumbs = []
        for node in self.select(
            '[class*="breadcrumb"], [id*="breadcrumb"], [itemtype*="BreadcrumbList"]'
        ):
            items = node.xpath(".//li | .//a[not(ancestor::li)] | .//span[@itemprop='name']")
            crumbs = [
                _text(item)
                for item in items
                if item.tag != "span" or not item.xpath("ancestor::li")
            ]
            if crumbs:
                break
        if not crumbs:
            crumbs = breadcrumb_names(self.ld)
        crumbs = [c.strip(" >»/›") for c in crumbs]
        crumbs = [c for c in dict.fromkeys(crumbs) if c and not _HOME.match(c) and c != self.title]
        if not crumbs:
            crumbs = [
                s for s in self.select('meta[property="article:section"]::attr(content)') if s
            ]
        return crumbs

    @property
    def tags(self) -> list[str]:
        found = self.select('meta[property="article:tag"]::attr(content)')
        if not found:
            links = self.select(
                'a[rel="tag"], a[href*="/tag/"], a[href*="/tags/"], a[href*="/tu-khoa/"]'
            )
            found = [_text(a) for a in links]
        cleaned = (t.strip().lstrip("#").strip() for t in found)
        return list(dict.fromkeys(t for t in cleaned if t and len(t) <= 80))

    def refusal(self) -> str | None:
        """Why this is not an article page, or None."""
        if NOT_ARTICLE_URL.search(self.url):
            return "not an article: the address is a tag, search, contact or login page"
        if self.select('input[type="password"]'):
            return "not an article: a login form"
        if reason := self.reader.listing_reason():
            return f"not an article: {reason}"
        return super().refusal()

    def to_item(self) -> Article:
        item = super().to_item()
        item.source_tag = self.credited_source
        return item


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
