"""Run one spider to completion in this process and collect what it did."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from scrapy.utils.project import get_project_settings

from crawler.dates import VIETNAM_TZ
from crawler.report import INTERRUPTED, QUEUE_UNREACHABLE
from crawler.runs import RunResult

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler


class SpiderError(RuntimeError):
    """The spider could not start (a bad registry, an unknown site id): nothing ran."""


def run_spider(
    name: str | type[Spider],
    overrides: dict[str, Any],
    keep_items: bool = False,
    **spider_args: Any,
) -> tuple[RunResult, Crawler]:
    """The run's result and its crawler (for settings and Scrapy's own stats)."""
    from scrapy.crawler import AsyncCrawlerProcess

    logging.Formatter.converter = staticmethod(_vietnam_time)  # one time zone, logs and reports
    settings = get_project_settings()
    settings.setdict(overrides, priority="cmdline")
    process = AsyncCrawlerProcess(settings)
    crawler = process.create_crawler(name)
    result = RunResult(keep_items).connect(crawler)
    task = process.crawl(crawler, **spider_args)
    process.start()
    if task.done() and not task.cancelled() and task.exception():
        raise SpiderError(str(task.exception()))
    return result, crawler


def _vietnam_time(seconds: float | None) -> time.struct_time:
    return datetime.fromtimestamp(
        time.time() if seconds is None else seconds, VIETNAM_TZ
    ).timetuple()


def stopped_early(crawler: Crawler, until_stopped: bool = False) -> str | None:
    """Why the run ended before its work was done, in the user's words; None if it was.
    ``until_stopped``: a worker (`crawl --keep-alive`), which a signal ends normally."""
    reason = crawler.stats.get_value("finish_reason")
    if reason == QUEUE_UNREACHABLE:
        limit = crawler.settings.getfloat("REDIS_OUTAGE_LIMIT")
        return f"stopped: the shared queue (Redis) was out of reach for {limit:.0f} s"
    if until_stopped:
        return None
    if reason == "closespider_pagecount":
        limit = crawler.settings.getint("CLOSESPIDER_PAGECOUNT")
        return f"stopped after {limit} pages (--max-pages / CLOSESPIDER_PAGECOUNT)"
    if reason in INTERRUPTED:
        return "stopped by a signal (Ctrl-C or SIGTERM) before the end"
    return None
