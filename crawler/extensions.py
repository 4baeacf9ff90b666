"""Progress of a long unattended run, a line per site every few seconds."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class ProgressExtension:
    """Prints pages and articles per site to stderr while the crawl runs."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        if not crawler.settings.getbool("PROGRESS_ENABLED"):
            raise NotConfigured
        extension = cls(crawler, crawler.settings.getfloat("PROGRESS_INTERVAL", 10))
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self) -> None:
        self.loop = task.LoopingCall(self.report)
        self.loop.start(self.interval, now=False)

    def closed(self) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        self.report()

    def report(self) -> None:
        stats = self.crawler.stats.get_stats()
        sites = sorted({k.split("/")[1] for k in stats if k.startswith("police/")})
        parts = [
            f"{site} {stats.get(f'police/{site}/pages', 0)}p/"
            f"{stats.get(f'police/{site}/articles', 0)}a"
            for site in sites
        ]
        print("progress: " + (", ".join(parts) or "starting"), file=sys.stderr, flush=True)
