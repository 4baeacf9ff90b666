"""What a run did, as types: each site's figures, each failure and note, sent on signals as
they happen and gathered into one RunResult that the summary, the progress line, the
nightly report and `--json` all read (nothing decodes stats keys or parses strings)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from scrapy import signals

from crawler.signals import article_failed, site_counted, site_noted

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure as TwistedFailure

UNKNOWN_SITE = "-"  # a seed file or a page no registry entry owns
LISTING_FALLBACK = "listing_fallback"  # the kind of Note of a listing read another way


@dataclass(frozen=True)
class Failure:
    """Something fetched or parsed that did not make it into the index, and why."""

    site: str
    url: str
    reason: str

    def __str__(self) -> str:
        return f"[{self.site}] {self.url}: {self.reason}"


@dataclass(frozen=True)
class Note:
    """Something about a site the report should say though it need not fail the run: kind
    ``listing_fallback``, its listing gave no article links and they were looked for in its
    sitemaps, feeds and the listing's own links (the message says what each gave)."""

    site: str
    kind: str
    message: str


@dataclass
class SiteCounts:
    """One site's figures in a run."""

    pages: int = 0  # responses its spider parsed (listings, feeds, sitemaps, articles)
    articles: int = 0  # articles read from its pages
    not_article: int = 0  # pages that turned out to be no article (listings, forms)
    skipped: int = 0  # articles not fetched again: already indexed
    failed_pages: int = 0  # pages that could not be fetched or read
    new: int = 0  # indexed for the first time
    updated: int = 0  # indexed again with changed content
    unchanged: int = 0  # fetched again, same content
    failed: int = 0  # articles Elasticsearch refused, or a pipeline step failed on
    spooled: int = 0  # waiting in the spool for Elasticsearch


FIGURES = tuple(f.name for f in fields(SiteCounts))


def count(crawler: Crawler, site: str | None, name: str, value: int = 1) -> None:
    """Add to one figure of a site: in Scrapy's stats (``sites/<id>/<name>``, for the log)
    and to every RunResult listening."""
    if name not in FIGURES:
        raise ValueError(f"no site figure named {name!r} (one of {', '.join(FIGURES)})")
    site = site or UNKNOWN_SITE
    crawler.stats.inc_value(f"sites/{site}/{name}", value)
    crawler.signals.send_catch_log(signal=site_counted, site=site, name=name, value=value)


def fail(crawler: Crawler, failure: Failure) -> None:
    """Report a failure to every RunResult listening (the caller logs it)."""
    crawler.signals.send_catch_log(signal=article_failed, failure=failure)


def note(crawler: Crawler, note: Note) -> None:
    """Report a note to every RunResult listening (the caller logs it)."""
    crawler.signals.send_catch_log(signal=site_noted, note=note)


@dataclass
class RunResult:
    """A run's figures per site and its failures; the items too when the command prints
    them (`extract`): a crawl or a replay of thousands must not hold them all."""

    keep_items: bool = False
    sites: dict[str, SiteCounts] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    items: list[Any] = field(default_factory=list)

    def connect(self, crawler: Crawler) -> RunResult:
        crawler.signals.connect(self._counted, signal=site_counted)
        crawler.signals.connect(self._failed, signal=article_failed)
        crawler.signals.connect(self._noted, signal=site_noted)
        crawler.signals.connect(self._scraped, signal=signals.item_scraped)
        crawler.signals.connect(self._dropped, signal=signals.item_dropped)
        crawler.signals.connect(self._item_error, signal=signals.item_error)
        crawler.signals.connect(self._spider_error, signal=signals.spider_error)
        return self

    def site(self, site: str) -> SiteCounts:
        return self.sites.setdefault(site, SiteCounts())

    def totals(self) -> SiteCounts:
        total = SiteCounts()
        for counts in self.sites.values():
            for name in FIGURES:
                setattr(total, name, getattr(total, name) + getattr(counts, name))
        return total

    def failures_of(self, site: str) -> list[Failure]:
        return [f for f in self.failures if f.site == site]

    def to_dict(self) -> dict[str, Any]:
        return {
            "totals": asdict(self.totals()),
            "sites": {
                site: {**asdict(counts), "failures": _reasons(self.failures_of(site))}
                for site, counts in sorted(self.sites.items())
            },
            "failures": [asdict(f) for f in self.failures],
            "notes": [asdict(n) for n in self.notes],
        }

    def _counted(self, site: str, name: str, value: int) -> None:
        counts = self.site(site)
        setattr(counts, name, getattr(counts, name) + value)

    def _failed(self, failure: Failure) -> None:
        self.site(failure.site)
        self.failures.append(failure)

    def _noted(self, note: Note) -> None:
        self.site(note.site)
        self.notes.append(note)

    def _scraped(self, item: Any) -> None:
        if self.keep_items:
            self.items.append(item)

    def _dropped(self, item: Any, exception: BaseException) -> None:
        self.site(_item_site(item)).failed += 1
        self._failed(_item_failure(item, f"dropped: {exception}"))

    def _item_error(self, item: Any, failure: TwistedFailure) -> None:
        """An exception inside a pipeline step: the article is lost to this run."""
        error = failure.value
        self.site(_item_site(item)).failed += 1
        self._failed(_item_failure(item, f"not processed: {type(error).__name__}: {error}"))

    def _spider_error(self, failure: TwistedFailure, response: Any) -> None:
        site = (response.meta.get("site") if hasattr(response, "meta") else None) or UNKNOWN_SITE
        self.site(site).failed_pages += 1
        self._failed(Failure(site, response.url, failure.getErrorMessage()))


def _item_site(item: Any) -> str:
    return getattr(item, "site", None) or UNKNOWN_SITE


def _item_failure(item: Any, reason: str) -> Failure:
    url = getattr(item, "url", None) or getattr(item, "seed_path", None) or "?"
    return Failure(_item_site(item), url, reason)


def _reasons(failures: list[Failure]) -> list[str]:
    return [f"{f.url}: {f.reason}" for f in failures]
