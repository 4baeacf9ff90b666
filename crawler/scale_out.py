"""Seeding a shared crawl: the start points of the registry put into the Redis queue that
`crawler crawl --redis URL --keep-alive` workers take their requests from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.crawler import Crawler
from scrapy_redis.scheduler import Scheduler

from crawler.spiders.police import PoliceSpider

if TYPE_CHECKING:
    from scrapy.settings import Settings


def seed_start_points(settings: Settings, site_ids: str = "") -> int:
    """Queue the start points of the chosen sites (every enabled one by default) through
    the workers' own scheduler (its Redis queue, key and serializer); the number queued.
    Nothing is fetched here."""
    crawler = Crawler(PoliceSpider, settings)
    spider = PoliceSpider.from_crawler(crawler, site=site_ids)
    scheduler = Scheduler.from_settings(crawler.settings)  # no stats: nothing runs here
    scheduler.open(spider)
    queued = 0
    for request in spider.start_points():
        # Fetched at every seeding although the shared duplicate filter remembers it from
        # the night before; remembered, so that a link back to it is not followed again.
        scheduler.df.request_seen(request)
        queued += scheduler.enqueue_request(request.replace(dont_filter=True))
    scheduler.close("seeded")
    return queued
