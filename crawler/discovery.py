"""Where a site's article links are when its listing selectors find none: the sitemaps its
robots.txt names, the feeds its pages announce or its CMS family serves, and same-host links
shaped like the families' article URLs (crawler.pages.urls). Pure functions of a URL and
the bytes fetched there, so a crawl and a site check read links the same way, without a
running spider."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from scrapy.http import HtmlResponse
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from crawler.dates import parse_datetime
from crawler.pages.generic import GenericListingPage
from crawler.pages.html import decode_html
from crawler.pages.urls import is_listed_page, looks_like_article

# Article links a fallback takes per listing page it stands in for: a NukeViet category page
# lists 20, so a site's `max_pages` bounds the fallback as it bounds its listings.
LINKS_PER_PAGE = 20
# Robots.txt, feeds and sitemaps a fallback fetches at most: an index and its children on
# the real sites, a few guessed URLs that may be missing.
MAX_FETCHES = 20

FEED_TYPES = ("application/rss+xml", "application/atom+xml")
# Child sitemaps of an index that list no articles (WordPress core, Yoast, the CMSs' own).
NOT_ARTICLE_SITEMAP = re.compile(
    r"taxonom|categor|[-_/]tags?[-_.]|author|users?[-_.]|posts-page|page-sitemap",
    re.IGNORECASE,
)


def _response(url: str, body: bytes, encoding: str | None) -> HtmlResponse:
    """The page as Scrapy's selectors read it, decoded the way page objects decode it."""
    return HtmlResponse(url, body=decode_html(body, encoding).encode(), encoding="utf-8")


def article_links(url: str, body: bytes, encoding: str | None = None) -> list[str]:
    """Same-host links of a page that look like articles, canonical, in page order, once:
    what the generic profile's listing reads on any page."""
    return GenericListingPage(url=url, body=body, encoding=encoding).article_urls()


def feed_links(url: str, body: bytes, encoding: str | None = None) -> list[str]:
    """The RSS/Atom feeds a page announces in its head (``<link rel="alternate">``)."""
    response = _response(url, body, encoding)
    hrefs = [
        link.attrib.get("href", "")
        for link in response.css('link[rel~="alternate"][href]')
        if link.attrib.get("type", "").strip().lower() in FEED_TYPES
    ]
    return list(dict.fromkeys(response.urljoin(h.strip()) for h in hrefs if h.strip()))


_ASSET_PUBLISHER = re.compile(r"""href=["']?([^"'\s>]*?/-/asset_publisher/\w+/)""", re.IGNORECASE)


def usual_feeds(profile: str, url: str, body: bytes = b"") -> list[str]:
    """Where a CMS family serves the feeds of a listing at ``url`` (CMS.md, SITES.md)."""
    parts = urlsplit(url)
    base, path = f"{parts.scheme}://{parts.netloc}", parts.path
    segments = [s for s in path.split("/") if s]
    if profile == "nukeviet":  # /[vi/]<module>/rss/[<cat>/]
        lang = segments[:1] if segments[:1] == ["vi"] else []
        module, cats = segments[len(lang) : len(lang) + 1], segments[len(lang) + 1 :][:1]
        found = [f"/{'/'.join([*lang, *module, 'rss', *cats])}/" if module else ""]
        found += [f"/{'/'.join([*lang, *module, 'rss'])}/" if module else "", "/vi/news/rss/"]
    elif profile == "wordpress":  # /category/<slug>/feed/ and the site's /feed/
        found = [path.rstrip("/") + "/feed/" if segments else "", "/feed/"]
    elif profile == "liferay":  # each asset publisher of the page: .../-/asset_publisher/<id>/rss
        text = decode_html(body) if body else ""
        found = [urljoin(url, m) + "rss" for m in _ASSET_PUBLISHER.findall(text)]
    elif profile == "cand":
        found = ["/rss/home.rss"]
    elif profile == "generic":
        found = ["/rss/", "/feed/", "/rss.xml"]
    else:  # the legacy portals serve none that is known
        found = []
    return list(dict.fromkeys(urljoin(base, f) for f in found if f))


def usual_sitemaps(profile: str, url: str) -> list[str]:
    """Where a site's sitemap is when its robots.txt names none (WordPress 5.5+ core: its
    own path; NukeViet and Liferay 7: /sitemap.xml, an index)."""
    parts = urlsplit(url)
    paths = ["/sitemap.xml"] + (["/wp-sitemap.xml"] if profile == "wordpress" else [])
    return [f"{parts.scheme}://{parts.netloc}{p}" for p in paths]


def robots_sitemaps(body: bytes, base_url: str) -> list[str]:
    """The sitemaps a robots.txt names on its ``Sitemap:`` lines."""
    return list(dict.fromkeys(sitemap_urls_from_robots(body, base_url=base_url)))


def parsed_robots_sitemaps(parser: object, base_url: str) -> list[str] | None:
    """The sitemaps of a robots.txt as the robots middleware parsed it (Scrapy's Protego
    parser keeps them); None for a parser that does not tell."""
    sitemaps = getattr(getattr(parser, "rp", None), "sitemaps", None)  # ProtegoRobotParser.rp
    if sitemaps is None:
        return None
    return list(dict.fromkeys(urljoin(base_url + "/", str(u).strip()) for u in sitemaps))


@dataclass
class SitemapLinks:
    """What a sitemap document holds: child sitemaps (an index) or pages with their lastmod."""

    kind: str  # "sitemapindex", "urlset", or "" for anything that is no sitemap
    sitemaps: list[str] = field(default_factory=list)
    pages: list[tuple[str, datetime | None]] = field(default_factory=list)


def sitemap_links(body: bytes, max_size: int = 0) -> SitemapLinks:
    """The entries of a sitemap or sitemap index, plain or gzipped; child sitemaps that list
    no articles (taxonomies, authors, pages) and pages that are no article are left out."""
    try:
        if body[:3] == b"\x1f\x8b\x08":
            body = gunzip(body, max_size=max_size)
        sitemap = Sitemap(body)
        entries = list(sitemap)
    except Exception:  # noqa: BLE001 (lxml and gzip raise many types on garbage)
        return SitemapLinks("")
    if sitemap.type == "sitemapindex":
        locs = [e["loc"] for e in entries if e.get("loc")]
        return SitemapLinks(sitemap.type, [u for u in locs if not NOT_ARTICLE_SITEMAP.search(u)])
    if sitemap.type != "urlset":
        return SitemapLinks("")
    pages = []
    for entry in entries:
        if (loc := entry.get("loc", "")) and is_listed_page(loc):
            lastmod = parse_datetime(entry.get("lastmod"))
            pages.append((loc, lastmod[0] if lastmod else None))
    return SitemapLinks(sitemap.type, pages=pages)


def ranked(pages: list[tuple[str, datetime | None]]) -> list[tuple[str, datetime | None]]:
    """Sitemap pages in the order a fallback takes them: article-shaped URLs before the rest
    (categories often carry the newest lastmod), newest first within each, undated last."""

    def key(page: tuple[str, datetime | None]) -> tuple[bool, bool, float]:
        url, lastmod = page
        return (
            not looks_like_article(url),
            lastmod is None,
            -lastmod.timestamp() if lastmod else 0,
        )

    return sorted(pages, key=key)
