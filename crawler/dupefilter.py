"""The shared crawl's seen-set (`crawl --redis`), whose entries expire.

scrapy-redis keeps a fingerprint for good. The night after, a shared crawl that no
seeding run started afresh (several `crawl --redis` runs) skipped listing page 2, which
holds other articles every day, and never asked again for an article that failed once.
Here a request counts as seen for REDIS_SEEN_TTL seconds: long enough for one night's
run, gone by the next. Articles indexed already are skipped by the index, not by this."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from scrapy_redis.dupefilter import RFPDupeFilter

if TYPE_CHECKING:
    from scrapy import Request, Spider


class ExpiringDupeFilter(RFPDupeFilter):
    """scrapy-redis's filter on a sorted set of fingerprints scored by when they were seen."""

    ttl: float

    @classmethod
    def from_spider(cls, spider: Spider) -> ExpiringDupeFilter:
        dupefilter = super().from_spider(spider)
        dupefilter.ttl = spider.settings.getfloat("REDIS_SEEN_TTL")
        return dupefilter

    def request_seen(self, request: Request) -> bool:
        now = time.time()
        # One transaction: whichever process adds a fingerprint first fetches the page.
        transaction = self.server.pipeline(transaction=True)
        transaction.zremrangebyscore(self.key, "-inf", now - self.ttl)
        transaction.zadd(self.key, {self.request_fingerprint(request): now}, nx=True)
        _, added = transaction.execute()
        return added == 0
