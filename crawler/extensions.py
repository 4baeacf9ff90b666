"""Progress of a long run: a live line on a terminal, a line every few seconds in a log
(as Scrapy's LogStats does), read from the run's typed figures."""

from __future__ import annotations

import sys
import time
from dataclasses import asdict
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet import task

from crawler.report import failed
from crawler.runs import RunResult

if TYPE_CHECKING:
    from typing import TextIO

    from scrapy.crawler import Crawler

TERMINAL_INTERVAL = 1.0


class ProgressExtension:
    """Pages, articles, failures, rate and, from the scheduler's queue, time left."""

    def __init__(self, crawler: Crawler, interval: float, out: TextIO) -> None:
        self.crawler = crawler
        self.out = out
        self.live = out.isatty()
        self.interval = TERMINAL_INTERVAL if self.live else interval
        self.result = RunResult().connect(crawler)
        self.loop: task.LoopingCall | None = None
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        if not crawler.settings.getbool("PROGRESS_ENABLED"):
            raise NotConfigured
        extension = cls(crawler, crawler.settings.getfloat("PROGRESS_INTERVAL", 10), sys.stderr)
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self) -> None:
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.report)
        self.loop.start(self.interval, now=False)

    def closed(self) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        if self.live:
            self.out.write("\r\033[K")  # the summary takes the live line's place
            self.out.flush()

    def line(self) -> str:
        totals = self.result.totals()
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = totals.pages / elapsed
        stats = self.crawler.stats
        queued = (stats.get_value("scheduler/enqueued", 0) or 0) - (
            stats.get_value("scheduler/dequeued", 0) or 0
        )
        lost = failed(asdict(totals))
        text = (
            f"progress: {totals.pages} pages, {totals.articles} articles, {lost} failed, "
            f"{rate:.1f} pages/s, {queued} queued"
        )
        if rate > 0 and queued > 0:
            text += f", about {_duration(queued / rate)} left"
        return text

    def report(self) -> None:
        if self.live:
            self.out.write("\r\033[K" + self.line())
        else:
            self.out.write(self.line() + "\n")
        self.out.flush()


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class KeepAlive:
    """A worker of a shared crawl stays up when its queue is empty (CRAWL_KEEP_ALIVE):
    the engine keeps asking the Redis scheduler for work that a seeding run puts there,
    until SIGTERM or Ctrl-C stops it."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> KeepAlive:
        if not crawler.settings.getbool("CRAWL_KEEP_ALIVE"):
            raise NotConfigured
        extension = cls()
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        return extension

    def spider_idle(self) -> None:
        raise DontCloseSpider("waiting for requests in the shared queue")
