from __future__ import annotations

import os
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.dates import VIETNAM_TZ
from crawler.middlewares import IncrementalDownloaderMiddleware
from testkit.sites import markup
from testkit.sites.catalog import LAICHAU, ROBOTS
from testkit.sites.server import FixtureSite, Route, html, serve, stop
from tests.conftest import FAST_CRAWL, drop_alias, run_cli

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


# --- robots.txt (RFC 9309) and retry backoff, through a real crawl ----------------------

LISTING = "/savefile/an-ninh-trat-tu/"
PRIVATE = ["/private/1/", "/private/2/"]  # what ROBOTS disallows
BACKOFF_BASE = 1.0  # seconds: far from zero, and from twice itself
RETRIES = 2  # the backoff page fails this many times, then answers


class StampedCounter(Counter):
    """A site's request counter that also notes when each request came."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        super().__init__()

    def __setitem__(self, path: str, count: int) -> None:
        self.times[path].append(time.monotonic())
        super().__setitem__(path, count)


def news_site(name: str, host: str, robots: Route | None) -> FixtureSite:
    """A NukeViet site with a listing of two articles (and two listings under /private/);
    no robots route means a 404."""
    site = serve(FixtureSite(name, host, {}, requests=StampedCounter()))
    stories = [LAICHAU[0], LAICHAU[2]]
    for path in [LISTING, *PRIVATE]:
        site.routes[path] = html(
            markup.nukeviet_listing("An ninh trật tự", [(s.title, s.path) for s in stories],
                                    [path], 1)
        )  # fmt: skip
    for story in stories:
        site.routes[story.path] = html(markup.nukeviet_article(story, site.base))
    if robots:
        site.routes["/robots.txt"] = robots
    return site


def registry(sites: list[FixtureSite], starts: dict[str, list[str]]) -> str:
    """A sites.yaml: each site starts at LISTING, or at the paths ``starts`` gives it."""
    lines = ["sites:"]
    for site in sites:
        urls = [site.base + path for path in starts.get(site.name, [LISTING])]
        paths = ", ".join(f'{{listing: "{url}"}}' for url in urls)
        lines += [
            f"  - id: {site.name}",
            f"    name: Công an {site.name}",
            "    province: Lai Châu",
            f"    hosts: [{site.host}:{site.port}]",
            "    profile: nukeviet",
            f"    start: [{paths}]",
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def robots_crawl(es_url, tmp_path_factory) -> Iterator[tuple[dict[str, FixtureSite], Any, set]]:
    """One crawl of four sites: robots.txt answering 503, slower than the download
    timeout (1.5 s in FAST_CRAWL), missing (404, with a page that fails twice), and a bit
    slow (0.5 s) while three start pages wait for it.
    Yields the sites, the finished command and the URLs it indexed."""
    sites = {
        "down503": news_site("down503", "127.0.0.11", Route(b"Service Unavailable", status=503)),
        "slow": news_site("slow", "127.0.0.12", Route(ROBOTS.encode(), "text/plain", delay=2.5)),
        "norobots": news_site("norobots", "127.0.0.13", None),
        "busy": news_site("busy", "127.0.0.14", Route(ROBOTS.encode(), "text/plain", delay=0.5)),
    }
    sites["norobots"].routes[LAICHAU[2].path].fail_first = RETRIES
    path = tmp_path_factory.mktemp("robots") / "sites.yaml"
    path.write_text(registry(list(sites.values()), {"busy": [LISTING, *PRIVATE]}), "utf-8")
    alias = f"robots-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "ES_URL": es_url, "ES_INDEX": alias, "CRAWLER_SITES": str(path)}
    try:
        result = run_cli("-v", "crawl", *FAST_CRAWL, "-s", f"RETRY_TIMES={RETRIES}", "-s",
                         f"RETRY_BACKOFF_BASE={BACKOFF_BASE}", env=env)  # fmt: skip
    finally:
        for site in sites.values():
            stop(site)
    with Elasticsearch(es_url) as client:
        if client.indices.exists_alias(name=alias):
            client.indices.refresh(index=alias)
            hits = client.search(index=alias, size=100, query={"match_all": {}})["hits"]["hits"]
        else:
            hits = []
    yield sites, result, {hit["_source"]["url"] for hit in hits}
    drop_alias(es_url, alias)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("down503", "robots.txt answered HTTP 503"),
        ("slow", "robots.txt unreachable (DownloadTimeoutError: Getting {base}/robots.txt "
                 "took longer than 1.5 seconds.)"),
    ],
)  # fmt: skip
def test_unfetchable_robots_txt_keeps_the_whole_site_out(robots_crawl, name, reason) -> None:
    sites, result, _ = robots_crawl
    site = sites[name]
    reason = reason.format(base=site.base)
    pages = {path: n for path, n in site.requests.items() if path != "/robots.txt"}
    assert pages == {}, pages  # not even the start page
    assert site.requests["/robots.txt"] == RETRIES + 1  # retried as any page, then given up
    # The run says which site and why, and fails; the log has one line for the host.
    assert f"[{name}] {site.base}{LISTING}: {reason}: not crawled (RFC 9309)" in result.stdout
    assert result.returncode != 0
    warning = f"{site.base}/robots.txt: {reason}; nothing on {site.host}:{site.port} is crawled"
    assert result.stderr.count(warning) == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]


def test_missing_robots_txt_allows_everything(robots_crawl) -> None:
    sites, result, indexed = robots_crawl
    site = sites["norobots"]
    assert site.requests["/robots.txt"] == 1
    assert site.requests[LISTING] == 1
    assert site.requests[LAICHAU[0].path] == 1
    ours = {url for url in indexed if url.startswith(site.base + "/")}
    assert ours == {site.base + LAICHAU[0].path, site.base + LAICHAU[2].path}
    assert "[norobots]" not in result.stdout, result.stdout


def test_every_page_waiting_for_robots_txt_obeys_it(robots_crawl) -> None:
    """Three start pages wait for one robots.txt; Scrapy 2.19 hands its parser to the
    first waiter only and lets the others through as if nothing were disallowed."""
    sites, result, _ = robots_crawl
    site = sites["busy"]
    assert site.requests["/robots.txt"] == 1
    assert site.requests[LISTING] == 1
    assert {path: site.requests[path] for path in PRIVATE} == dict.fromkeys(PRIVATE, 0)
    assert "robots.txt refusals: 2" in result.stdout, result.stdout


def test_retries_wait_longer_each_time(robots_crawl) -> None:
    """The page answers 500 twice: RETRY_BACKOFF_BASE before the first retry, twice that
    before the second (and not a second more, which would be the next step of the doubling)."""
    sites, _, _ = robots_crawl
    times = sites["norobots"].requests.times[LAICHAU[2].path]
    assert len(times) == RETRIES + 1
    gaps = [later - earlier for earlier, later in pairwise(times)]
    assert BACKOFF_BASE <= gaps[0] < 2 * BACKOFF_BASE, gaps
    assert 2 * BACKOFF_BASE <= gaps[1] < 4 * BACKOFF_BASE, gaps
