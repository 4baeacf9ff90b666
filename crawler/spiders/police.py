"""Crawl the registry's sites: listings with pagination, RSS/Atom feeds and sitemaps; a
listing that gives no article links falls back to the site's other ways in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http.request import NO_CALLBACK
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.httpobj import urlparse_cached

from crawler import runs
from crawler.dates import VIETNAM_TZ
from crawler.discovery import (
    LINKS_PER_PAGE,
    MAX_FETCHES,
    article_links,
    feed_links,
    parsed_robots_sitemaps,
    ranked,
    robots_sitemaps,
    sitemap_links,
    usual_feeds,
    usual_sitemaps,
)
from crawler.fallback import Fallback
from crawler.feeds import feed_entries
from crawler.middlewares import RobotsTxtUnreachable
from crawler.pages.profiles import article_page_class, listing_page_class, saved_article_page
from crawler.sites import RegistryError, Site, StartPoint, configured_sites

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.robotstxt import RobotParser
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
        self.fallbacks: dict[str, Fallback] = {}  # by site: the first, which read its sitemaps
        self.named_sitemaps: dict[str, list[str]] = {}  # by host: what its robots.txt names

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PoliceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        sites = configured_sites(crawler.settings)
        known = {s.id: s for s in sites}
        unknown = [i for i in spider.site_ids if i not in known]
        if unknown:
            raise RegistryError(
                f"{crawler.settings['CRAWLER_SITES']}: no site with id {', '.join(unknown)} "
                "(see `crawler sites`)"
            )
        chosen = [known[i] for i in spider.site_ids] or [s for s in sites if s.enabled]
        if spider.url:
            owner = next((s for s in sites if s.owns(spider.url)), None)
            chosen = [owner or _adhoc_site(spider.url)]
        spider.sites = {s.id: s for s in chosen}
        spider.allowed_domains = sorted(
            {urlsplit(f"//{host}").hostname for s in chosen for host in s.hosts}
        )
        crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        return spider

    def robots_parsed(self, robotparser: RobotParser, request: scrapy.Request) -> None:
        """Keep the sitemaps a host's robots.txt names as the robots middleware read it: a
        listing fallback then needs no fetch of its own."""
        url = urlparse_cached(request)
        named = parsed_robots_sitemaps(robotparser, f"{url.scheme}://{url.netloc}")
        if named is not None:
            self.named_sitemaps[url.netloc] = named

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

    async def parse_listing(
        self, response: Response, site_id: str, page: int
    ) -> AsyncIterator[scrapy.Request]:
        site = self.sites[site_id]
        self._count_page(site_id)
        listing = listing_page_class(site.profile)(
            url=response.url,
            body=response.body,
            encoding=getattr(response, "encoding", None),
            selectors=site.selectors,
        )
        found = [r for u in listing.article_urls() if (r := self._article_request(u, site))]
        self.listing_read(response, site, len(found))
        for request in found:
            yield request
        if page < site.max_pages:
            for url in listing.next_urls():
                if site.owns(url):
                    yield self._request(url, site, self.parse_listing, page=page + 1)
        if not found and page == 1:  # a later page may be empty: the last one often is
            async for request in self.fall_back(response, site):
                yield request

    def listing_read(self, response: Response, site: Site, links: int) -> None:
        """How many article links a listing page's selectors gave, before any fallback:
        nothing for a crawl to do; the site check (crawler/site_check.py) records it."""

    async def fall_back(self, response: Response, site: Site) -> AsyncIterator[scrapy.Request]:
        """Article links for a first listing page whose selectors found none (its layout
        changed): the listing's own article-like links, then, once per site and run, its
        feeds and sitemaps unless the registry lists them as start points. The report gets a
        note of what each gave; a site where nothing gave any, a failure too."""
        encoding = getattr(response, "encoding", None)
        earlier = self.fallbacks.get(site.id)
        fallback = Fallback(response.url, site.max_pages * LINKS_PER_PAGE, earlier)
        self.fallbacks.setdefault(site.id, fallback)
        for url in article_links(response.url, response.body, encoding):
            if request := self._taken(fallback, "links", url, site):
                yield request
        if earlier is None:
            kinds, starts = {p.kind for p in site.start}, {p.url for p in site.start}
            if "feed" not in kinds:
                feeds = feed_links(response.url, response.body, encoding)
                feeds += usual_feeds(site.profile, response.url, response.body)
                async for request in self._read_feeds(feeds, starts, site, fallback):
                    yield request
            if "sitemap" not in kinds:
                async for request in self._read_sitemaps(response.url, starts, site, fallback):
                    yield request
        fallback.done = True
        message = fallback.message(site.profile)
        self.logger.warning("%s: %s", site.id, message)
        runs.note(self.crawler, runs.Note(site.id, runs.LISTING_FALLBACK, message))
        if fallback.failed():
            self.fail(site.id, response.url, fallback.reason(site.profile))

    def _taken(
        self, fallback: Fallback, source: str, url: str, site: Site, lastmod: datetime | None = None
    ) -> scrapy.Request | None:
        """The article request of a link the fallback found, unless taken already or past
        its limit."""
        request = self._article_request(url, site, lastmod)
        return request if request and fallback.take(source, request.url) else None

    async def _read_feeds(
        self, urls: list[str], starts: set[str], site: Site, fallback: Fallback
    ) -> AsyncIterator[scrapy.Request]:
        for url in dict.fromkeys(u for u in urls if site.owns(u) and u not in starts):
            if len(fallback.fetched) >= MAX_FETCHES // 2:  # the rest for robots.txt, sitemaps
                break
            body = await self._fetch(url, site, fallback)
            entries = feed_entries(body, base_url=url) if body is not None else []
            if body is not None and not entries:
                fallback.tried.append(f"{url}: not an RSS/Atom feed, or an empty one")
            if entries:
                self._count_page(site.id)
            for link, updated in entries:
                if request := self._taken(fallback, "feed", link, site, updated):
                    yield request

    async def _read_sitemaps(
        self, listing: str, starts: set[str], site: Site, fallback: Fallback
    ) -> AsyncIterator[scrapy.Request]:
        """The sitemaps robots.txt names, else the usual ones of the site's CMS, indexes
        followed; article-shaped pages are taken first, newest first."""
        parts = urlsplit(listing)
        base = f"{parts.scheme}://{parts.netloc}"
        named = self.named_sitemaps.get(parts.netloc)
        if named is None:  # robots.txt not obeyed this run (or not read by Protego): fetch it
            robots = await self._fetch(
                f"{base}/robots.txt", site, fallback, dont_obey_robotstxt=True
            )
            named = robots_sitemaps(robots, base) if robots is not None else None
        if named == []:
            fallback.tried.append(f"{base}/robots.txt: names no sitemap")
        pages: list[tuple[str, datetime | None]] = []
        maxsize = self.settings.getint("DOWNLOAD_MAXSIZE")
        for group in (named or [], usual_sitemaps(site.profile, listing)):
            queue = [u for u in dict.fromkeys(group) if site.owns(u) and u not in starts]
            while queue and len(fallback.fetched) < MAX_FETCHES:
                url = queue.pop(0)
                if url in fallback.fetched:
                    continue
                if (body := await self._fetch(url, site, fallback)) is None:
                    continue
                found = sitemap_links(body, maxsize)
                if not found.kind:
                    fallback.tried.append(f"{url}: not a sitemap")
                    continue
                self._count_page(site.id)
                queue += [u for u in found.sitemaps if site.owns(u) and u not in starts]
                pages += found.pages
            if pages:
                break  # the sitemaps robots.txt names are the site's word: no guessing
        for url, lastmod in ranked(pages):
            if request := self._taken(fallback, "sitemap", url, site, lastmod):
                yield request

    async def _fetch(self, url: str, site: Site, fallback: Fallback, **meta: Any) -> bytes | None:
        """A page of the fallback, fetched through every downloader middleware (robots.txt,
        retries, the HTTP cache); None, and the reason kept, when it gives nothing: a guessed
        URL that is missing costs no failure."""
        fallback.fetched.add(url)
        request = scrapy.Request(
            url, callback=NO_CALLBACK, meta={"site": site.id, **meta}, dont_filter=True
        )
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:  # noqa: BLE001 (robots.txt, offsite, network: all say "no")
            fallback.tried.append(f"{url}: {exc or type(exc).__name__}")
            return None
        if response.status != 200:
            fallback.tried.append(f"{url}: HTTP {response.status}")
            return None
        return response.body

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
        """A registry sitemap, read as the listing fallback reads one (gzipped or not, no
        taxonomy or author sitemaps, no category, tag or paging pages): an index's children
        followed, article-shaped pages first, newest first, each with its lastmod."""
        site = self.sites[site_id]
        self._count_page(site_id)
        found = sitemap_links(response.body, self.settings.getint("DOWNLOAD_MAXSIZE"))
        if not found.kind:
            self.fail(site_id, response.url, "not a sitemap or sitemap index (plain or gzipped)")
            return
        for url in found.sitemaps:
            if site.owns(url):
                yield self._request(url, site, self.parse_sitemap, page=page + 1)
        for url, lastmod in ranked(found.pages):
            if request := self._article_request(url, site, lastmod):
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
