from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.dates import VIETNAM_TZ
from crawler.middlewares import IncrementalDownloaderMiddleware

URL = "https://congan.laichau.gov.vn/savefile/a-101.html"


@pytest.fixture
def middleware() -> IncrementalDownloaderMiddleware:
    crawler = get_crawler(settings_dict={"INCREMENTAL_ENABLED": True})
    return build_from_crawler(IncrementalDownloaderMiddleware, crawler)


def known(days_ago: float, **validators: str) -> dict:
    fetched = datetime.now(VIETNAM_TZ) - timedelta(days=days_ago)
    return {"url": URL, "fetched_at": fetched.isoformat(), **validators}


def article(**meta) -> Request:
    return Request(URL, meta={"article": True, "recrawl_days": 30, **meta})


def test_known_fresh_article_is_not_fetched(middleware) -> None:
    middleware.known[URL] = known(1)
    with pytest.raises(IgnoreRequest, match="already indexed 1 day"):
        middleware.process_request(article())
    assert middleware.stats.get_value("incremental/skipped") == 1


def test_listing_and_unknown_pages_are_always_fetched(middleware) -> None:
    middleware.known[URL] = known(1)
    assert middleware.process_request(Request(URL)) is None  # not an article request
    assert middleware.process_request(Request(URL + "?x", meta={"article": True})) is None


def test_lastmod_newer_than_the_fetch_refetches(middleware) -> None:
    middleware.known[URL] = known(3)
    lastmod = datetime.now(VIETNAM_TZ) - timedelta(days=1)
    assert middleware.process_request(article(lastmod=lastmod)) is None


def test_stale_article_is_fetched_with_validators_and_304_is_skipped(middleware) -> None:
    middleware.known[URL] = known(40, http_etag='"v1"', http_last_modified="Tue, 01 Oct 2024")
    request = article()
    assert middleware.process_request(request) is None
    assert request.headers[b"If-None-Match"] == b'"v1"'
    assert request.headers[b"If-Modified-Since"] == b"Tue, 01 Oct 2024"
    with pytest.raises(IgnoreRequest, match="not modified"):
        middleware.process_response(request, HtmlResponse(URL, status=304))
    assert middleware.stats.get_value("incremental/not_modified") == 1
    ok = HtmlResponse(URL, status=200, body=b"<html></html>")
    assert middleware.process_response(request, ok) is ok


def test_refresh_turns_it_off() -> None:
    crawler = get_crawler(settings_dict={"INCREMENTAL_ENABLED": True, "CRAWL_REFRESH": True})
    with pytest.raises(NotConfigured):
        build_from_crawler(IncrementalDownloaderMiddleware, crawler)
