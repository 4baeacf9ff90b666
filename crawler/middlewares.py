"""Downloader middlewares for what Scrapy's built-ins cannot do: retry backoff, robots.txt
as RFC 9309 reads it, and incremental crawling against what the index already holds."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest, NotConfigured
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler import runs
from crawler.dates import VIETNAM_TZ
from crawler.pages.seed import size_refusal

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.robotstxt import RobotParser
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


# Scrapy's words for a download stopped at DOWNLOAD_MAXSIZE, when it knows the size.
_MAXSIZE_MESSAGE = re.compile(r"(?:Expected to receive|Received) (\d+) bytes .*max size \((\d+)\)")


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, waiting longer before each new attempt: base * 2^(n-1), capped.

    A local file (file://) that cannot be read is not retried: that is no network error,
    and waiting will not change it. A page stopped at DOWNLOAD_MAXSIZE fails with a reason
    that says so (Scrapy's own error is blank when the page came without a length).
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX")
        self.maxsize = settings.getint("DOWNLOAD_MAXSIZE")

    async def _after_backoff(self, retry: Request) -> Request:
        attempt = retry.meta.get("retry_times", 1)
        await asyncio.sleep(min(self.cap, self.base * 2 ** (attempt - 1)))
        return retry

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        result = super().process_response(request, response)
        return await self._after_backoff(result) if isinstance(result, Request) else result

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if isinstance(exception, DownloadCancelledError):
            raise DownloadCancelledError(self._cancelled(request, exception)) from exception
        if urlparse_cached(request).scheme == "file":
            return None
        result = super().process_exception(request, exception)
        return await self._after_backoff(result) if isinstance(result, Request) else result

    def _cancelled(self, request: Request, exception: DownloadCancelledError) -> str:
        """A download stopped at the size limit, in the words of the run's report."""
        if found := _MAXSIZE_MESSAGE.search(str(exception)):
            return size_refusal(int(found[1]), int(found[2]), "DOWNLOAD_MAXSIZE")
        limit = request.meta.get("download_maxsize", self.maxsize)
        if str(exception) or not limit:  # cancelled for another reason: Scrapy's words
            return str(exception) or "download cancelled"
        return size_refusal(None, limit, "DOWNLOAD_MAXSIZE") + ": its download was stopped"


class RobotsTxtUnreachable(IgnoreRequest):
    """A page not crawled because its host's robots.txt could not be fetched."""


class _Unreachable:
    """Stands in for the parser of a robots.txt that could not be fetched: nothing allowed."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        return False


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt handling, except that a robots.txt that cannot be fetched
    (network error, timeout, 5xx answer) disallows its whole host for the run, as RFC 9309
    §2.3.1.4 asks; Scrapy would allow everything. A 4xx still allows everything (§2.3.1.3).
    Every page that waited for a robots.txt is judged by it, not only the first.
    """

    async def robot_parser(self, request: Request) -> RobotParser | _Unreachable | None:
        url = urlparse_cached(request)
        if url.netloc not in self._parsers:
            await self._fetch_robots(f"{url.scheme}://{url.netloc}/robots.txt", url.netloc, request)
        parser = self._parsers[url.netloc]
        if isinstance(parser, Deferred):  # being fetched for another page
            # Awaiting a Deferred consumes its result: Scrapy's own await hands the parser
            # to the first page waiting and None ("all allowed") to the others. Wait for
            # it to fire, then read what it stored.
            await maybe_deferred_to_future(parser)
            parser = self._parsers[url.netloc]
        return parser

    async def _fetch_robots(self, robots_url: str, netloc: str, request: Request) -> None:
        self._parsers[netloc] = Deferred()
        robots = Request(
            robots_url,
            priority=self.DOWNLOAD_PRIORITY,
            meta={"dont_obey_robotstxt": True},
            callback=NO_CALLBACK,
        )
        self._stats.inc_value("robotstxt/request_count")
        try:
            response = await self.crawler.engine.download_async(robots)
            if response.status < 500:
                await self._parse_robots(response, netloc, request)
                return
            self._stats.inc_value("robotstxt/response_count")
            self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
            reason = f"robots.txt answered HTTP {response.status}"
        except IgnoreRequest as exc:  # another middleware's choice (a replay without it)
            self._robots_error(exc, netloc)  # Scrapy's answer: nothing to obey
            return
        except Exception as exc:  # noqa: BLE001 (any failure to fetch it means the same)
            self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
            detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            reason = f"robots.txt unreachable ({detail})"
        logger.warning("%s: %s; nothing on %s is crawled this run", robots_url, reason, netloc)
        self._stats.inc_value("robotstxt/unreachable")
        waiting = self._parsers[netloc]
        self._parsers[netloc] = refusal = _Unreachable(reason)
        if isinstance(waiting, Deferred):
            waiting.callback(refusal)

    def process_request_2(self, rp: RobotParser | _Unreachable | None, request: Request) -> None:
        if isinstance(rp, _Unreachable):
            self._stats.inc_value("robotstxt/unreachable_refused")
            raise RobotsTxtUnreachable(f"{rp.reason}: not crawled (RFC 9309)")
        super().process_request_2(rp, request)


# How far back a worker's catch-up reads before its last read: the index shows a document
# a second after it is written, and the machines' clocks that wrote fetched_at may differ.
READ_MARGIN = timedelta(minutes=10)


class IncrementalDownloaderMiddleware:
    """Skip article requests for pages the index already has, unless they are stale.

    An article is fetched again when ``--refresh`` is given, when it is older than its
    site's recrawl age (then with If-None-Match / If-Modified-Since, so an unchanged
    page answers 304), or when a sitemap or feed says it changed after we fetched it.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.known: dict[str, dict[str, Any]] = {}
        self.read_at: datetime | None = None  # when what is indexed was last read
        self.stale = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalDownloaderMiddleware:
        settings = crawler.settings
        if not settings.getbool("INCREMENTAL_ENABLED") or settings.getbool("CRAWL_REFRESH"):
            raise NotConfigured("incremental crawling is off (--refresh, --record or --replay)")
        if settings.getdict("FEEDS"):
            # `scrapy crawl police -O out.jsonl` exports what it finds, every time.
            raise NotConfigured("incremental crawling is off: exporting every article found")
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        if settings.getbool("CRAWL_KEEP_ALIVE"):
            # A worker stays up for days while the others index: what it read at the start
            # is caught up with when new work comes after a wait.
            crawler.signals.connect(middleware.spider_idle, signal=signals.spider_idle)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        self.read_indexed()
        self.stats.set_value("incremental/known_urls", len(self.known))

    def spider_idle(self) -> None:
        self.stale = True

    def read_indexed(self) -> None:
        """What the index holds of the sites' articles (since the last read, less a margin
        for other machines' clocks and the index's refresh), into ``known``."""
        # Imported here: every spider loads this module, and only a crawl reaches this.
        from elastic_transport import TransportError
        from elasticsearch import ApiError
        from elasticsearch.helpers import scan

        from crawler.es.client import client_from_settings

        settings = self.crawler.settings
        started = datetime.now(VIETNAM_TZ)
        query: dict[str, Any] = {"bool": {"filter": [{"term": {"source": "site"}}]}}
        if self.read_at is not None:
            since = (self.read_at - READ_MARGIN).isoformat(timespec="seconds")
            query["bool"]["filter"].append({"range": {"fetched_at": {"gte": since}}})
        client = client_from_settings(settings)
        fields = ["url", "canonical_url", "fetched_at", "http_etag", "http_last_modified"]
        try:
            for hit in scan(
                client, index=settings["ES_INDEX"], query={"query": query, "_source": fields}
            ):
                doc = hit["_source"]
                for url in {doc.get("url"), doc.get("canonical_url")} - {None}:
                    self.known[url] = doc
            self.read_at = started
        except (TransportError, ApiError) as exc:
            logger.warning("Incremental crawl off: cannot read what is indexed (%s)", exc)
        finally:
            client.close()

    def process_request(self, request: Request) -> None:
        if self.stale and request.meta.get("article"):
            self.stale = False
            self.read_indexed()
        known = self.known.get(request.url)
        if not request.meta.get("article") or not known or not known.get("fetched_at"):
            return
        fetched = datetime.fromisoformat(known["fetched_at"])
        lastmod = request.meta.get("lastmod")
        if lastmod and lastmod > fetched:
            self.stats.inc_value("incremental/changed_since_fetch")
            return
        age = datetime.now(VIETNAM_TZ) - fetched
        if age < timedelta(days=request.meta.get("recrawl_days", 30)):
            self.stats.inc_value("incremental/skipped")
            runs.count(self.crawler, request.meta.get("site"), "skipped")
            raise IgnoreRequest(f"{request.url}: already indexed {age.days} day(s) ago")
        if known.get("http_etag"):
            request.headers.setdefault("If-None-Match", known["http_etag"])
        if known.get("http_last_modified"):
            request.headers.setdefault("If-Modified-Since", known["http_last_modified"])
        self.stats.inc_value("incremental/recrawled")

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status == 304 and request.meta.get("article"):
            self.stats.inc_value("incremental/not_modified")
            raise IgnoreRequest(f"{request.url}: not modified since last fetch")
        return response
