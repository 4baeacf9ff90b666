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
    Nothing is fetched here.

    A seeding starts a new round: the shared seen-set of the last one is emptied first.
    What it kept would keep out for good an article that failed, or that a worker killed
    had in hand; what is indexed already is skipped by the index (the workers read it)."""
    crawler = Crawler(PoliceSpider, settings)
    spider = PoliceSpider.from_crawler(crawler, site=site_ids)
    scheduler = Scheduler.from_settings(crawler.settings)  # no stats: nothing runs here
    scheduler.open(spider)
    scheduler.df.clear()
    queued = sum(scheduler.enqueue_request(request) for request in spider.start_points())
    scheduler.close("seeded")
    return queued
