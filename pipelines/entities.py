"""Entities of the title, lead, body and captions (field, paragraph, offsets, and for
people their rank and title), from the police-domain layer over underthesea.

The worker pool never outlives the crawl process, even a SIGKILLed one. Each worker
watches its parent sentinel (a pipe whose only write end the crawl holds) from a thread:
EOF means the crawl is gone however it ended, and a worker forked after that sees EOF at
once and exits before taking work. PR_SET_PDEATHSIG would not do for a worker: its
parent is the fork server, not the crawl. The fork server sets it for itself
(crawler/nlp/preload.py), so it dies, and stops forking, the moment the crawl dies. Had
the crawl died before that request (the server's first 0.1 s), the server still exits
when its "alive" pipe reads EOF, once the crawl and the workers are gone; the resource
tracker likewise exits when every holder of its pipe (crawl, workers) is gone.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.forkserver
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor, wait
from datetime import datetime
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from crawler.dates import find_dates
from crawler.nlp.resolution import resolve_entities

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


# (field, paragraph, text) of each text of one article.
Sources = list[tuple[str, int, str]]


def article_entities(item: object) -> list[dict[str, Any]]:
    """Every entity mention in the article's title, lead, body paragraphs and captions."""
    return texts_entities(article_texts(item))


def article_texts(item: object) -> Sources:
    """(field, paragraph, text) of the title, lead, body paragraphs and captions."""
    adapter = ItemAdapter(item)
    sources = [("title", 0, adapter.get("title") or ""), ("lead", 0, adapter.get("lead") or "")]
    for name in ("body", "captions"):
        sources += [(name, i, text) for i, text in enumerate(adapter.get(name) or [])]
    return sources


def texts_entities(sources: Sources) -> list[dict[str, Any]]:
    """The mentions of each (field, paragraph, text), as indexed."""
    return many_texts_entities([sources])[0]


def many_texts_entities(articles: list[Sources]) -> list[list[dict[str, Any]]]:
    """texts_entities of several articles, their texts through the models together."""
    # Imported here, where extraction runs: in the worker processes, which load
    # underthesea and the models; the crawl process never needs them.
    from crawler.nlp.entities import add_mentions, extract_many, police_news

    texts = [text for sources in articles for _, _, text in sources]
    police = [
        flag
        for sources in articles
        for flag in [police_news([t for *_, t in sources])] * len(sources)
    ]
    mentions = iter(extract_many(texts, police))
    found: list[list[dict[str, Any]]] = []
    for sources in articles:
        entities: list[dict[str, Any]] = []
        for name, index, _ in sources:
            add_mentions(entities, next(mentions), field=name, paragraph=index)
        found.append(entities)
    return found


def exit_with_parent() -> None:
    """Worker initializer: exit as soon as the crawl process is gone, however it ended."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_after, args=(parent,), daemon=True).start()


def _exit_after(parent: multiprocessing.process.BaseProcess) -> None:
    parent.join()  # returns when the crawl's end of the sentinel pipe closes
    os._exit(1)


def event_dates(
    entities: list[dict[str, Any]], published: str | None, known: list[str]
) -> list[str]:
    """The days the DATE mentions name, a missing year taken from the publication date."""
    if not published:
        return known
    reference = datetime.fromisoformat(published).date()
    found = set(known)
    for entity in entities:
        if entity["type"] == "DATE":
            found.update(d.isoformat() for d in find_dates(entity["text"], reference))
    return sorted(found)


class EntitiesPipeline:
    """Runs in worker processes when NER_WORKERS > 1: extraction is CPU-bound Python, and
    the GIL would otherwise keep it on one core.

    Articles that arrive while every worker is busy wait, and go to the next free worker
    together (up to NER_BATCH_SIZE): one call and one decoding pass for several articles
    costs less than one each, and an idle worker never waits for a batch to fill.
    """

    def __init__(self, stats: StatsCollector, workers: int, batch_size: int = 8) -> None:
        self.stats = stats
        self.workers = workers
        self.batch_size = batch_size
        self.pool: ProcessPoolExecutor | None = None
        self.started: Future = Future()
        self.waiting: list[tuple[Sources, asyncio.Future]] = []
        self.running = 0
        self.dispatch_due = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EntitiesPipeline:
        if not crawler.settings.getbool("NER_ENABLED"):
            raise NotConfigured("NER_ENABLED is off")
        settings = crawler.settings
        return cls(crawler.stats, settings.getint("NER_WORKERS", 1),
                   settings.getint("NER_BATCH_SIZE", 8))  # fmt: skip

    def open_spider(self) -> None:
        if self.workers > 1:
            # forkserver: workers start clean, without the reactor's threads and sockets.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["crawler.nlp.preload"])
            # Started from this thread, which runs the crawl: the fork server dies with
            # the thread that started it (PR_SET_PDEATHSIG), not with the process.
            multiprocessing.forkserver.ensure_running()
            self.pool = ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=exit_with_parent
            )
            # Started off the reactor: the first worker waits for the fork server to load
            # the models (a second or more), and the crawl goes on meanwhile.
            threading.Thread(target=self._start_workers, daemon=True).start()

    def _start_workers(self) -> None:
        assert self.pool is not None
        try:
            wait([self.pool.submit(os.getpid) for _ in range(self.workers)])
        finally:
            self.started.set_result(None)

    def close_spider(self) -> None:
        if self.pool:
            self.pool.shutdown()

    async def process_item(self, item: object) -> object:
        adapter = ItemAdapter(item)
        sources = article_texts(item)
        if self.pool:
            # Only the texts cross to the worker: less to pickle than the whole item.
            if not self.started.done():
                await asyncio.wrap_future(self.started)
            found = asyncio.get_running_loop().create_future()
            self.waiting.append((sources, found))
            if not self.dispatch_due:  # once for all the articles of this loop turn
                self.dispatch_due = True
                asyncio.get_running_loop().call_soon(self._dispatch)
            entities = await found
        else:
            entities = texts_entities(sources)
        adapter["entities"] = resolve_entities(
            entities, adapter.get("province"), adapter.get("province_current")
        )
        adapter["event_dates"] = event_dates(entities, adapter.get("published"),
                                             adapter.get("event_dates") or [])  # fmt: skip
        self.stats.inc_value("entities/mentions", len(entities))
        return item

    def _dispatch(self) -> None:
        """Send waiting articles to the workers, a batch each, one more queued behind."""
        self.dispatch_due = False
        while self.waiting and self.running <= self.workers:
            batch = self.waiting[: self.batch_size]
            del self.waiting[: self.batch_size]
            self._submit(batch)

    def _submit(self, batch: list[tuple[Sources, asyncio.Future]]) -> None:
        assert self.pool is not None
        loop = asyncio.get_running_loop()
        work = self.pool.submit(many_texts_entities, [sources for sources, _ in batch])
        self.running += 1
        self.stats.inc_value("entities/worker_calls")
        work.add_done_callback(lambda done: loop.call_soon_threadsafe(self._finish, batch, done))

    def _finish(self, batch: list[tuple[Sources, asyncio.Future]], done: Future) -> None:
        self.running -= 1
        error = done.exception()
        if error is not None and len(batch) > 1:
            # One article's text broke the batch: each again on its own, so that only
            # that one fails (and is reported), not its neighbours.
            for single in batch:
                self._submit([single])
        else:
            results = [error] * len(batch) if error is not None else done.result()
            for (_, found), result in zip(batch, results, strict=True):
                if found.done():  # its crawl was cancelled
                    continue
                if error is not None:
                    found.set_exception(error)
                else:
                    found.set_result(result)
        self._dispatch()
