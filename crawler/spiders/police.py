"""Crawl the registry's sites: listings with pagination, RSS/Atom feeds and sitemaps."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import Sitemap

from crawler import runs
from crawler.dates import VIETNAM_TZ, parse_datetime
from crawler.feeds import feed_entries
from crawler.middlewares import RobotsTxtUnreachable
from crawler.pages.profiles import article_page_class, listing_page_class, saved_article_page
from crawler.sites import RegistryError, Site, StartPoint, load_sites

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from crawler.items import Article


class PoliceSpider(scrapy.Spider):
    """``-a site=ID[,ID...]`` limits the crawl to those registry entries; ``-a url=URL``
    fetches that one article instead (with its site's profile, or the generic one)."""

    name = "police"

    def __init__(self, site: str = "", url: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site_ids = [s.strip() for s in site.split(",") if s.strip()]
        self.url = url
        self.sites: dict[str, Site] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PoliceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        registry = Path(crawler.settings["CRAWLER_SITES"])
        sites = load_sites(registry)
        known = {s.id: s for s in sites}
        unknown = [i for i in spider.site_ids if i not in known]
        if unknown:
            raise RegistryError(
                f"{registry}: no site with id {', '.join(unknown)} (see `crawler sites`)"
            )
        chosen = [known[i] for i in spider.site_ids] or [s for s in sites if s.enabled]
        if spider.url:
            owner = next((s for s in sites if s.owns(spider.url)), None)
            chosen = [owner or _adhoc_site(spider.url)]
        spider.sites = {s.id: s for s in chosen}
        spider.allowed_domains = sorted(
            {urlsplit(f"//{host}").hostname for s in chosen for host in s.hosts}
        )
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.url:
            (site,) = self.sites.values()
            request = self._article_request(self.url, site)
            request.meta["article"] = False  # asked for by name: always fetch it
            yield request
            return
        if self.settings.getbool("CRAWL_KEEP_ALIVE"):
            return  # a worker of a shared crawl: `crawl --seed-only` queues the start points
        for request in self.start_points():
            yield request

    def start_points(self) -> Iterator[scrapy.Request]:
        """A request for each start point (listing, feed, sitemap) of the chosen sites."""
        callbacks = {"listing": self.parse_listing, "feed": self.parse_feed}
        for site in self.sites.values():
            for point in site.start:
                callback = callbacks.get(point.kind, self.parse_sitemap)
                yield self._request(point.url, site, callback, page=1)

    def _request(self, url: str, site: Site, callback: Any, **kwargs: Any) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.failed,
            cb_kwargs={"site_id": site.id, **kwargs},
            meta={"site": site.id},
        )

    def _article_request(
        self, url: str, site: Site, lastmod: datetime | None = None
    ) -> scrapy.Request | None:
        if not site.owns(url):
            return None
        request = self._request(url, site, self.parse_article)
        request.meta.update(article=True, lastmod=lastmod, recrawl_days=site.recrawl_days)
        return request

    def _count_page(self, site_id: str) -> None:
        runs.count(self.crawler, site_id, "pages")

    def parse_listing(self, response: Response, site_id: str, page: int) -> Iterator[Any]:
        site = self.sites[site_id]
        self._count_page(site_id)
        listing = listing_page_class(site.profile)(
            url=response.url,
            body=response.body,
            encoding=getattr(response, "encoding", None),
            selectors=site.selectors,
        )
        found = [r for u in listing.article_urls() if (r := self._article_request(u, site))]
        if not found and page == 1:
            self.fail(site_id, response.url, "listing page has no article links")
        yield from found
        if page < site.max_pages:
            for url in listing.next_urls():
                if site.owns(url):
                    yield self._request(url, site, self.parse_listing, page=page + 1)

    def parse_feed(self, response: Response, site_id: str, page: int) -> Iterator[Any]:
        site = self.sites[site_id]
        self._count_page(site_id)
        entries = feed_entries(response.body, base_url=response.url)
        if not entries:
            self.fail(site_id, response.url, "not an RSS/Atom feed, or an empty one")
        for link, updated in entries:
            if request := self._article_request(link, site, updated):
                yield request

    def parse_sitemap(self, response: Response, site_id: str, page: int) -> Iterator[Any]:
        site = self.sites[site_id]
        self._count_page(site_id)
        try:
            sitemap = Sitemap(response.body)
        except Exception as exc:  # lxml raises several types on garbage  # noqa: BLE001
            self.fail(site_id, response.url, f"not a sitemap: {exc}")
            return
        for entry in sitemap:
            if sitemap.type == "sitemapindex" and site.owns(entry["loc"]):
                yield self._request(entry["loc"], site, self.parse_sitemap, page=page + 1)
            elif sitemap.type == "urlset":
                lastmod = parse_datetime(entry.get("lastmod"))
                request = self._article_request(entry["loc"], site, lastmod and lastmod[0])
                if request:
                    yield request

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Article]:
        """`scrapy parse --spider=police URL`: the page read as an article of its site."""
        site = next((s for s in self.sites.values() if s.owns(response.url)), None)
        site = site or _adhoc_site(response.url)
        self.sites.setdefault(site.id, site)
        yield from self.parse_article(response, site.id)

    def parse_article(self, response: Response, site_id: str) -> Iterator[Article]:
        site = self.sites[site_id]
        self._count_page(site_id)
        encoding = getattr(response, "encoding", None)
        if self.url and site.profile == "generic":  # one page asked for: recognise its CMS
            page = saved_article_page(response.url, response.body, encoding)
        else:
            page = article_page_class(site.profile)(
                url=response.url,
                body=response.body,
                encoding=encoding,
                selectors=site.selectors,
                date_format=site.date_format,
            )
        if reason := page.refusal():
            runs.count(self.crawler, site_id, "not_article")
            self.logger.info("%s: %s", response.url, reason)
            return
        item = page.to_item()
        item.site = site.id
        item.province = site.province or None
        item.province_current = site.province_current or None
        item.fetched_at = datetime.now(VIETNAM_TZ).isoformat(timespec="seconds")
        item.http_etag = _header(response, b"ETag")
        item.http_last_modified = _header(response, b"Last-Modified")
        runs.count(self.crawler, site_id, "articles")
        yield item

    def failed(self, failure: Failure) -> None:
        request = failure.request
        if failure.check(HttpError):
            reason = f"HTTP {failure.value.response.status}"
        elif failure.check(RobotsTxtUnreachable):  # the site may be down: say so
            reason = str(failure.value)
        elif failure.check(IgnoreRequest):
            return  # robots.txt, offsite, already indexed: counted by their middlewares
        else:
            reason = failure.getErrorMessage()
        self.fail(request.meta.get("site", "?"), request.url, reason)

    def fail(self, site_id: str, url: str, reason: str) -> None:
        """Log and count what a site cost the run; the crawl goes on."""
        runs.count(self.crawler, site_id, "failed_pages")
        self.logger.error("%s: %s", url, reason)
        runs.fail(self.crawler, runs.Failure(site_id, url, reason))


def _adhoc_site(url: str) -> Site:
    """A stand-in registry entry for a URL on a host the registry does not know."""
    host = urlsplit(url).netloc.lower()
    return Site(
        id=host, name=host, province="", hosts=(host,), profile="generic",
        start=(StartPoint("listing", url),),
    )  # fmt: skip


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
