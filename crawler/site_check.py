"""`crawler sites check`: does each site answer, let us in, list articles we can read?

Scrapy, not a plain HTTP client: a subclass of the police spider, so the check reads links
with the crawl's own parse_listing/parse_feed/parse_sitemap and is refused exactly where
the crawl is (StrictRobotsTxtMiddleware, offsite, retries), which a second fetcher could
only imitate. Every site is checked at once; each gets a time bound after which none of
its requests is sent, and the whole run a hard stop a little later (CLOSESPIDER_TIMEOUT).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.misc import load_object
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)

from crawler.middlewares import RobotsTxtUnreachable
from crawler.runner import run_spider, stopped_early
from crawler.site_detect import read_with
from crawler.site_verdict import (
    ROBOTS_REFUSAL,
    ArticleCheck,
    HostCheck,
    SiteCheck,
    StartCheck,
    verdict,
)
from crawler.spiders.police import PoliceSpider

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from crawler.fallback import Fallback
    from crawler.sites import Site

TIME_BOUND = "the rest not fetched: the check's time bound (--timeout)"
FOLLOWED = 2  # further pages one start point may lead to (a sitemap index's children)
# What the check changes in the project's settings (`-s` still wins over these).
CHECK_SETTINGS: dict[str, Any] = {
    "ITEM_PIPELINES": {},  # nothing is indexed: Elasticsearch is not needed
    "INCREMENTAL_ENABLED": False,
    "PROGRESS_ENABLED": False,
    "CLOSESPIDER_PAGECOUNT": 0,
    "CONCURRENT_REQUESTS": 64,  # every site at once; per host it stays polite
    "RETRY_TIMES": 1,
    "DOWNLOAD_TIMEOUT": 20,
}


def check_sites(
    sites: list[Site], overrides: dict[str, Any], articles: int = 2, timeout: float = 90.0
) -> tuple[list[SiteCheck], str | None]:
    """Check the sites in one Scrapy run: a verdict for each, in the order given, and why
    the run stopped before its end (Ctrl-C, SIGTERM), if it did: then the verdicts of
    the sites it had not finished are no verdicts."""
    settings = {**CHECK_SETTINGS, **overrides}
    download = float(settings.get("DOWNLOAD_TIMEOUT", CHECK_SETTINGS["DOWNLOAD_TIMEOUT"]))
    # Requests sent just before a site's bound may take a download timeout, and one retry.
    settings.setdefault("CLOSESPIDER_TIMEOUT", timeout + 2 * download + 5)
    result, crawler = run_spider(
        SiteCheckSpider, settings, sites=sites, articles=articles, timeout=timeout
    )  # type: ignore[arg-type]  # run_spider takes a spider class as Scrapy's create_crawler
    checks = crawler.spider.results()
    for check in checks:  # what the run's report would note (a listing fallback)
        check.notes = [n.message for n in getattr(result, "notes", []) if n.site == check.site]
    return checks, stopped_early(crawler)


@dataclass
class _Run:
    """A site being checked: its targets by key and the article links still to try."""

    check: SiteCheck
    started: float = 0.0
    last: float = 0.0
    candidates: list[Any] = field(default_factory=list)  # article requests, in link order
    seen: set[str] = field(default_factory=set)
    sent: int = 0
    pending: int = 0


class SiteCheckSpider(PoliceSpider):
    """The police spider on given sites, one listing page deep, reading a few articles
    per site and recording what each request met instead of logging it."""

    name = "sites-check"

    def __init__(
        self, sites: list[Site], articles: int = 2, timeout: float = 90.0, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.sites = {s.id: replace(s, max_pages=1) for s in sites}  # no further listing pages
        self.wanted, self.timeout = articles, timeout
        self.runs: dict[str, _Run] = {}
        self.targets: dict[str, HostCheck | StartCheck | ArticleCheck] = {}
        self.by_url: dict[str, str] = {}
        for site in self.sites.values():
            hosts = list(dict.fromkeys(urlsplit(p.url).netloc.lower() for p in site.start))
            check = SiteCheck(site.id, [HostCheck(h) for h in hosts],
                              [StartCheck(p.kind, p.url) for p in site.start])  # fmt: skip
            self.runs[site.id] = _Run(check)
            for host in check.hosts:
                self.targets[f"{site.id} host {host.host}"] = host
            for number, point in enumerate(check.start):
                self.targets[f"{site.id} start {number}"] = point

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SiteCheckSpider:
        # The sites come resolved by the command (registry and user file): skip the
        # police spider's own loading, keep Scrapy's.
        spider = super(PoliceSpider, cls).from_crawler(crawler, *args, **kwargs)
        spider.allowed_domains = sorted(
            {urlsplit(f"//{host}").hostname for s in spider.sites.values() for host in s.hosts}
        )
        crawler.signals.connect(spider._spider_error, signal=signals.spider_error)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        now = time.monotonic()
        for site in self.sites.values():
            run = self.runs[site.id]
            run.started = run.last = now
            schemes = {urlsplit(p.url).netloc.lower(): urlsplit(p.url).scheme for p in site.start}
            for host in run.check.hosts:
                yield scrapy.Request(
                    f"{schemes[host.host]}://{host.host}/robots.txt",
                    callback=self.parse_robots,
                    errback=self.failed,
                    dont_filter=True,
                    meta={"site": site.id, "check": f"{site.id} host {host.host}",
                          "dont_obey_robotstxt": True, "handle_httpstatus_all": True},
                )  # fmt: skip
        numbers = [(s.id, n) for s in self.sites.values() for n in range(len(s.start))]
        for (site_id, number), request in zip(numbers, self.start_points(), strict=True):
            request.meta["check"] = f"{site_id} start {number}"
            yield request

    # --- What each answer says ------------------------------------------------------

    def parse_robots(self, response: Response) -> None:
        host = self._target(response)
        assert isinstance(host, HostCheck)
        host.connect = "ok"
        self.runs[response.meta["site"]].last = time.monotonic()
        if response.status >= 500:
            host.robots = f"HTTP {response.status}: nothing is crawled (RFC 9309)"
            return
        if response.status >= 400:
            host.robots = f"none (HTTP {response.status}): all allowed"
            return
        parser = load_object(self.settings["ROBOTSTXT_PARSER"]).from_crawler(
            self.crawler, response.body
        )
        agent = self.settings["ROBOTSTXT_USER_AGENT"] or self.settings["USER_AGENT"]
        run = self.runs[response.meta["site"]]
        points = [p for p in run.check.start if urlsplit(p.url).netloc.lower() == host.host]
        refused = [p for p in points if not parser.allowed(p.url, agent)]
        host.robots = "HTTP 200" + (
            f": disallows {len(refused)} of {len(points)} start points" if refused else ""
        )

    async def parse_listing(
        self, response: Response, site_id: str, page: int
    ) -> AsyncIterator[scrapy.Request]:
        self._answered(response)
        async for request in self._follow(response, super().parse_listing(response, site_id, page)):
            yield request

    def listing_read(self, response: Response, site: Site, links: int) -> None:
        point = self._target(response)
        if isinstance(point, StartCheck) and point.kind == "listing":
            point.listing_links = links

    async def parse_feed(
        self, response: Response, site_id: str, page: int
    ) -> AsyncIterator[scrapy.Request]:
        self._answered(response)
        async for request in self._follow(response, super().parse_feed(response, site_id, page)):
            yield request

    async def parse_sitemap(
        self, response: Response, site_id: str, page: int
    ) -> AsyncIterator[scrapy.Request]:
        self._answered(response)
        results = super().parse_sitemap(response, site_id, page)
        async for request in self._follow(response, results):
            yield request

    def parse_article(self, response: Response, site_id: str) -> Iterator[Any]:
        article = self._answered(response)
        run = self.runs[site_id]
        run.pending -= 1
        if isinstance(article, ArticleCheck):
            items = list(super().parse_article(response, site_id))
            if items:
                item = items[0]
                article.title, article.published = item.title, item.published
                article.body_chars = sum(len(p) for p in item.body)
                article.authors = list(item.authors)
            else:  # refused: the same page object says why
                site = self.sites[site_id]
                article.error = read_with(
                    site.profile, response.url, response.body,
                    getattr(response, "encoding", None), site.selectors, site.date_format,
                ).refusal  # fmt: skip
        yield from self._articles(site_id)

    def failed(self, failure: Failure) -> list[scrapy.Request]:
        request = failure.request
        site_id = request.meta.get("site", "")
        target = self.targets.get(request.meta.get("check", ""))
        reason = failure_reason(failure)
        if site_id in self.runs:
            self.runs[site_id].last = time.monotonic()
        if isinstance(target, HostCheck):
            target.connect = reason
        elif target is not None:
            target.error = target.error or reason
            if isinstance(target, StartCheck | ArticleCheck) and failure.check(HttpError):
                target.status = failure.value.response.status
        if isinstance(target, ArticleCheck):
            self.runs[site_id].pending -= 1
            return list(self._articles(site_id))
        return []

    async def _fetch(self, url: str, site: Site, fallback: Fallback, **meta: Any) -> bytes | None:
        """The listing fallback's own downloads (feeds, robots.txt, sitemaps, one after
        another) keep the site's time bound too: past it, none is sent."""
        if self._late(site.id):
            if TIME_BOUND not in fallback.tried:
                fallback.tried.append(TIME_BOUND)
            return None
        return await super()._fetch(url, site, fallback, **meta)

    def fail(self, site_id: str, url: str, reason: str) -> None:
        """The spider's own complaints (no links, not a feed): kept with their start point."""
        target = self.targets.get(self.by_url.get(url, ""))
        if isinstance(target, StartCheck | ArticleCheck) and not target.error:
            target.error = reason

    def _spider_error(self, failure: Failure, response: Response) -> None:
        target = self._target(response)
        if isinstance(target, StartCheck | ArticleCheck):
            target.error = f"internal error: {failure.getErrorMessage()}"

    # --- Following, within bounds ------------------------------------------------------

    def _target(self, response: Response) -> HostCheck | StartCheck | ArticleCheck | None:
        return self.targets.get(response.meta.get("check", ""))

    def _answered(self, response: Response) -> HostCheck | StartCheck | ArticleCheck | None:
        target = self._target(response)
        self.by_url[response.url] = response.meta.get("check", "")
        self.runs[response.meta["site"]].last = time.monotonic()
        if isinstance(target, StartCheck | ArticleCheck) and target.status is None:
            target.status = response.status
            if response.meta.get("redirect_urls"):
                target.final_url = response.url
        return target

    def _late(self, site_id: str) -> bool:
        run = self.runs[site_id]
        if time.monotonic() - run.started > self.timeout:
            run.check.timed_out = True
        return run.check.timed_out

    async def _follow(
        self, response: Response, results: Iterable[Any] | AsyncIterable[Any]
    ) -> AsyncIterator[scrapy.Request]:
        """Count the article links a start point led to (the listing fallback's too), keep
        some to read, and follow a few of its further pages (a sitemap index's children),
        all credited to it. The police spider's callbacks may be generators or async ones."""
        site_id = response.meta["site"]
        key = response.meta.get("check", "")
        target = self.targets.get(key)
        run, followed = self.runs[site_id], 0
        async for result in _each(results):
            if not isinstance(result, scrapy.Request):
                continue
            if result.meta.get("article"):
                if isinstance(target, StartCheck):
                    target.links += 1
                if result.url not in run.seen and len(run.candidates) < 3 * self.wanted:
                    run.seen.add(result.url)
                    run.candidates.append(result)
            elif followed < FOLLOWED and not self._late(site_id):
                followed += 1
                result.meta["check"] = key
                yield result
        for request in self._articles(site_id):
            yield request

    def _articles(self, site_id: str) -> Iterator[scrapy.Request]:
        """Articles to read: until ``wanted`` are read, trying at most twice as many."""
        run = self.runs[site_id]
        while (
            run.candidates
            and sum(a.read for a in run.check.articles) + run.pending < self.wanted
            and run.sent < 2 * self.wanted
            and not self._late(site_id)
        ):
            # Never dropped as a duplicate: each one sent is waited for.
            request = run.candidates.pop(0).replace(dont_filter=True)
            key = f"{site_id} article {run.sent}"
            self.targets[key] = article = ArticleCheck(request.url)
            run.check.articles.append(article)
            run.sent += 1
            run.pending += 1
            request.meta["check"] = key
            yield request

    # --- Verdicts ------------------------------------------------------------------

    def closed(self, reason: str) -> None:
        if reason == "closespider_timeout":  # the hard stop: whoever was waiting ran out
            for run in self.runs.values():
                waiting = run.pending or any(p.status is None and not p.error
                                             for p in run.check.start)  # fmt: skip
                run.check.timed_out = run.check.timed_out or bool(waiting)

    def results(self) -> list[SiteCheck]:
        checks = []
        for run in self.runs.values():
            check = run.check
            check.seconds = round(run.last - run.started, 1)
            for article in check.articles:
                if article.status is None and not article.error:
                    article.error = f"no answer within the check's {self.timeout:g} s"
            check.status, check.reason = verdict(check)
            checks.append(check)
        return checks


async def _each(results: Iterable[Any] | AsyncIterable[Any]) -> AsyncIterator[Any]:
    if isinstance(results, AsyncIterable):
        async for result in results:
            yield result
    else:
        for result in results:
            yield result


def failure_reason(failure: Failure) -> str:
    """A failed request in a few words: DNS, a refused or timed-out connection, HTTP."""
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    if failure.check(RobotsTxtUnreachable):
        return str(failure.value)
    if failure.check(IgnoreRequest):
        text = str(failure.value)
        return ROBOTS_REFUSAL if "robots.txt" in text else text or "not fetched"
    if failure.check(CannotResolveHostError, DNSLookupError):
        return "DNS: no such host"
    if failure.check(DownloadConnectionRefusedError, ConnectionRefusedError):
        return "connection refused"
    if failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
        return "timed out"
    return failure.getErrorMessage() or type(failure.value).__name__


# --- One page, for `crawler sites detect` and `add` -------------------------------------


@dataclass
class Fetched:
    """A fetched page (``body`` empty and ``error`` set when it could not be had)."""

    url: str
    status: int | None = None
    body: bytes = b""
    encoding: str | None = None
    error: str | None = None


class PageSpider(scrapy.Spider):
    """Fetch one page as the crawl would (robots.txt, retries, user agent), keep it."""

    name = "sites-page"

    def __init__(self, url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.page = Fetched(url)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield scrapy.Request(self.page.url, callback=self.keep, errback=self.lost)

    def keep(self, response: Response) -> None:
        self.page = Fetched(response.url, response.status, response.body,
                            getattr(response, "encoding", None))  # fmt: skip

    def lost(self, failure: Failure) -> None:
        self.page.error = failure_reason(failure)


def fetch_page(url: str, overrides: dict[str, Any]) -> Fetched:
    """One page, fetched in a Scrapy run of its own."""
    settings = {**CHECK_SETTINGS, **overrides}
    _, crawler = run_spider(PageSpider, settings, url=url)  # type: ignore[arg-type]
    return crawler.spider.page
