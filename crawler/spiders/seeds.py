"""Replay local seed files and saved pages offline, through the same item and pipelines
as a crawl."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterable
from dataclasses import replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import scrapy

from crawler import runs
from crawler.dates import VIETNAM_TZ
from crawler.manifest import ManifestError, SeedMeta, find_manifest, load_manifest
from crawler.nlp.gazetteer import places
from crawler.pages.profiles import saved_article_page
from crawler.pages.seed import SeedArticlePage, SeedFormatError, size_refusal
from crawler.sites import RegistryError, Site, configured_sites

if TYPE_CHECKING:
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from crawler.items import Article

# Plain-text seeds, and saved web pages read by the page object of their CMS family.
SEED_SUFFIXES = (".txt", ".html", ".htm")


def seed_files(paths: Iterable[str]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Seed files under the given files or folders, and the paths that are not usable."""
    files: list[Path] = []
    problems: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.suffix.lower() in SEED_SUFFIXES and p.is_file()
            )
            if not found:
                problems.append((raw, f"no seed files ({', '.join(SEED_SUFFIXES)}) in this folder"))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            problems.append((raw, "no such file or folder"))
    return files, problems


def saved_page_article(
    path: Path, body: bytes, meta: SeedMeta, now: datetime, sites: list[Site] = ()
) -> Article:
    """The article of a saved HTML page, read by the page object of its CMS family.

    Without a manifest entry, the site is the registry's entry for the page's canonical
    host, and the province the one whose police the page names as its publisher.
    """
    page = saved_article_page(meta.url or path.resolve().as_uri(), body)
    if reason := page.refusal():
        raise SeedFormatError(f"{path.name}: {reason}")
    item = page.to_item()
    item.source = "saved"
    site = next((s for s in sites if s.owns(item.canonical_url or "")), None)
    if meta.site or meta.province or site is None:
        item.site, item.province = meta.site, meta.province or page.publisher_province()
        place = places().get(item.province or "")
        item.province_current = meta.province_current or (place and place.province_current)
    else:
        item.site, item.province = site.id, site.province or None
        item.province_current = site.province_current or None
    item.fetched_at = now.isoformat(timespec="seconds")
    item.seed_path = path.name
    return item


class SeedsSpider(scrapy.Spider):
    """``-a path=seeds/``: files or folders, separated by os.pathsep or ','; ``-a url=URL``
    the address one saved page was served at (its links and canonical URL are resolved
    against it)."""

    name = "seeds"
    # Local files: no robots.txt, no politeness delay, and no network download handlers
    # (loading Scrapy's HTTP/TLS stack took a third of a second of a one-page extract).
    custom_settings = {
        "DOWNLOAD_HANDLERS": {"http": None, "https": None, "s3": None, "ftp": None},
        "ROBOTSTXT_OBEY": False,
        "INCREMENTAL_ENABLED": False,  # a replay reads every file it is given
        "RETRY_ENABLED": False,  # a file that cannot be read will not be read on a retry
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    }

    def __init__(self, path: str = "seeds", url: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        separators = path.replace(",", os.pathsep)
        self.paths = [p for p in separators.split(os.pathsep) if p]
        self.url = url
        self._manifests: dict[Path, dict[str, SeedMeta]] = {}

    @cached_property
    def sites(self) -> list[Site]:
        """The registry, to name the site of a saved page; none when it cannot be read
        (a replay of seeds does not need it)."""
        try:
            return configured_sites(self.crawler.settings)
        except RegistryError as exc:
            self.logger.warning("Saved pages get no site: %s", exc)
            return []

    async def start(self) -> AsyncIterator[scrapy.Request]:
        files, problems = seed_files(self.paths)
        for path, reason in problems:
            self.fail(path, reason)
        for path in files:
            self.crawler.stats.inc_value("seeds/files_found")
            # Sized before it is read: a file too big to replay never enters memory.
            try:
                size = path.stat().st_size
            except OSError as exc:
                self.fail(str(path), f"cannot read: {exc.strerror or exc}")
                continue
            if reason := self._too_big(size):
                self.fail(str(path), reason)
                continue
            yield scrapy.Request(
                path.resolve().as_uri(),
                callback=self.parse_seed,
                errback=self.read_failed,
                cb_kwargs={"path": path},
                dont_filter=True,
            )

    def parse_seed(self, response: Response, path: Path) -> Iterable[Any]:
        self.crawler.stats.inc_value("seeds/files_read")
        if reason := self._too_big(len(response.body)):  # it grew since it was sized
            self.fail(str(path), reason)
            return
        try:
            meta = self._meta_for(path)
            now = datetime.now(VIETNAM_TZ)
            if path.suffix.lower() == ".txt":
                item = SeedArticlePage(path.name, response.body, meta, now).to_item()
            else:
                item = saved_page_article(path, response.body, meta, now, self.sites)
        except (SeedFormatError, ManifestError) as exc:
            self.fail(str(path), str(exc).removeprefix(f"{path.name}: "))
            return
        runs.count(self.crawler, item.site, "pages")
        runs.count(self.crawler, item.site, "articles")
        yield item

    def read_failed(self, failure: Failure) -> None:
        path, error = failure.request.cb_kwargs["path"], failure.value
        detail = error.strerror if isinstance(error, OSError) and error.strerror else error
        self.fail(str(path), f"cannot read: {detail}")

    def _too_big(self, size: int) -> str | None:
        """Why a file of `size` bytes is not replayed, or None when it is small enough."""
        limit = self.crawler.settings.getint("MAX_PAGE_BYTES")
        if limit and size > limit:
            self.crawler.stats.inc_value("seeds/refused/too_big")
            return size_refusal(size, limit, "MAX_PAGE_BYTES")
        return None

    def fail(self, path: str, reason: str) -> None:
        """Log and count a seed that cannot be replayed; the run goes on."""
        self.crawler.stats.inc_value("seeds/failed")
        runs.count(self.crawler, None, "failed_pages")
        self.logger.error("Seed %s skipped: %s", path, reason)
        runs.fail(self.crawler, runs.Failure(runs.UNKNOWN_SITE, path, reason))

    def _meta_for(self, path: Path) -> SeedMeta:
        manifest_path = find_manifest(path)
        if manifest_path is None:
            return SeedMeta(url=self.url or None)
        if manifest_path not in self._manifests:
            self._manifests[manifest_path] = load_manifest(manifest_path)
        found = self._manifests[manifest_path].get(path.name, SeedMeta())
        return replace(found, url=self.url) if self.url else found
