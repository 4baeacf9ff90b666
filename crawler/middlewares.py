"""Downloader middlewares for what Scrapy's built-ins cannot do: retry backoff and
incremental crawling against what the index already holds."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from elastic_transport import TransportError
from elasticsearch import ApiError
from elasticsearch.helpers import scan
from scrapy import Request, signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawler.dates import VIETNAM_TZ
from crawler.es.client import client_from_settings

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, waiting longer before each new attempt: base * 2^(n-1), capped."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX")

    async def _after_backoff(self, retry: Request) -> Request:
        attempt = retry.meta.get("retry_times", 1)
        await asyncio.sleep(min(self.cap, self.base * 2 ** (attempt - 1)))
        return retry

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        result = super().process_response(request, response)
        return await self._after_backoff(result) if isinstance(result, Request) else result

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        result = super().process_exception(request, exception)
        return await self._after_backoff(result) if isinstance(result, Request) else result


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

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalDownloaderMiddleware:
        if not crawler.settings.getbool("INCREMENTAL_ENABLED") or crawler.settings.getbool(
            "CRAWL_REFRESH"
        ):
            raise NotConfigured("incremental crawling is off (--refresh, --record or --replay)")
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        settings = self.crawler.settings
        client = client_from_settings(settings)
        fields = ["url", "canonical_url", "fetched_at", "http_etag", "http_last_modified"]
        try:
            for hit in scan(
                client,
                index=settings["ES_INDEX"],
                query={"query": {"term": {"source": "site"}}, "_source": fields},
            ):
                doc = hit["_source"]
                for url in {doc.get("url"), doc.get("canonical_url")} - {None}:
                    self.known[url] = doc
        except (TransportError, ApiError) as exc:
            logger.warning("Incremental crawl off: cannot read what is indexed (%s)", exc)
        finally:
            client.close()
        self.stats.set_value("incremental/known_urls", len(self.known))

    def process_request(self, request: Request) -> None:
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
            self.stats.inc_value(f"incremental/site/{request.meta.get('site', '-')}/skipped")
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
