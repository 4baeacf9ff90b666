"""The shared frontier's scheduler (`crawl --redis`): scrapy-redis's, made to ride out a
Redis outage.

Without it, a Redis restart buries a worker's log under a traceback every five seconds
and loses the links found meanwhile. Here the worker says once that the queue is out of
reach, holds what it could not queue, and goes on when Redis answers again; a crawl that
is not a waiting worker gives up after REDIS_OUTAGE_LIMIT seconds, saying so."""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import TYPE_CHECKING

from redis.exceptions import RedisError
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.scheduler import Scheduler

from crawler.es.client import redact
from crawler.report import QUEUE_UNREACHABLE

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

REMIND_EVERY = 60.0  # seconds between "still out of reach" lines


class SharedScheduler(Scheduler):
    """scrapy-redis's Scheduler, with Redis errors turned into waiting."""

    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedScheduler:
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.url = redact(crawler.settings["REDIS_URL"] or "")
        scheduler.limit = crawler.settings.getfloat("REDIS_OUTAGE_LIMIT")
        scheduler.hold_max = crawler.settings.getint("REDIS_HOLD_MAX")
        scheduler.held = deque()
        scheduler.down_since = None
        scheduler.reminded = 0.0
        scheduler.closing = False
        return scheduler

    def enqueue_request(self, request: Request) -> bool:
        start = request.meta.get("is_start_request", False)
        if start:
            # The seen-set outlives a run (REDIS_SEEN_TTL, or until the next seeding): a
            # start point it remembers is queued all the same, or a run would fetch nothing.
            request = request.replace(dont_filter=True)
        try:
            self._release_held()
            if start:
                self.df.request_seen(request)  # so that a link back to it is not followed
            queued = super().enqueue_request(request)
        except RedisError as exc:
            self._unreachable(exc)
            return self._hold(request)
        self._reachable()
        return queued

    def next_request(self) -> Request | None:
        try:
            self._release_held()
            request = super().next_request()
        except RedisError as exc:
            self._unreachable(exc)
            return None
        self._reachable()
        return request

    def has_pending_requests(self) -> bool:
        if self.held:
            return True
        try:
            return super().has_pending_requests()
        except RedisError as exc:
            self._unreachable(exc)
            return True  # what waits in Redis is not done because it cannot be seen

    def close(self, reason: str) -> None:
        if self.held:
            urls = ", ".join(request.url for request in list(self.held)[:3])
            logger.error(
                "%d request(s) found while Redis at %s was out of reach were never queued "
                "(%s...): the next run's listings lead to them again",
                len(self.held), self.url, urls,
            )  # fmt: skip
            self.stats.set_value("scheduler/unqueued", len(self.held))
        super().close(reason)  # the queue persists (SCHEDULER_PERSIST): no Redis call

    def _hold(self, request: Request) -> bool:
        if len(self.held) >= self.hold_max:
            self.stats.inc_value("scheduler/unqueued")
            logger.error("Not queued, Redis at %s out of reach and %d held: %s",
                         self.url, len(self.held), request.url)  # fmt: skip
            return False
        self.held.append(request)
        return True

    def _release_held(self) -> None:
        """Queue what was held, in the order it came; stops at the first Redis error."""
        while self.held:
            super().enqueue_request(self.held[0])
            self.held.popleft()

    def _unreachable(self, exc: RedisError) -> None:
        now = time.monotonic()
        if self.down_since is None:
            self.down_since = self.reminded = now
            logger.error(
                "The shared queue, Redis at %s, is out of reach (%s): waiting for it; "
                "links found meanwhile are held here", self.url, exc,
            )  # fmt: skip
        elif now - self.reminded >= REMIND_EVERY:
            self.reminded = now
            logger.error("Redis at %s still out of reach after %.0f s (%d request(s) held)",
                         self.url, now - self.down_since, len(self.held))  # fmt: skip
        if 0 < self.limit <= now - self.down_since and not self.closing:
            self.closing = True
            logger.error("Redis at %s out of reach for %.0f s (REDIS_OUTAGE_LIMIT): "
                         "stopping", self.url, self.limit)  # fmt: skip
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=QUEUE_UNREACHABLE))

    def _reachable(self) -> None:
        if self.down_since is not None:
            # Said at the outage's level, so that whoever saw it begin sees it end.
            logger.error("Redis at %s answers again after %.0f s", self.url,
                         time.monotonic() - self.down_since)  # fmt: skip
            self.down_since = None
