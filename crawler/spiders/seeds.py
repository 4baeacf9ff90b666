"""Replay local seed files offline through the same item and pipelines as a crawl."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import scrapy

from crawler.dates import VIETNAM_TZ
from crawler.manifest import ManifestError, SeedMeta, find_manifest, load_manifest
from crawler.pages.seed import SeedArticlePage, SeedFormatError
from crawler.signals import article_failed

if TYPE_CHECKING:
    from scrapy.http import Response
    from twisted.python.failure import Failure

SEED_SUFFIX = ".txt"


def seed_files(paths: Iterable[str]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Seed files under the given files or folders, and the paths that are not usable."""
    files: list[Path] = []
    problems: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob(f"*{SEED_SUFFIX}") if p.is_file())
            if not found:
                problems.append((raw, f"no {SEED_SUFFIX} seed files in this folder"))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            problems.append((raw, "no such file or folder"))
    return files, problems


class SeedsSpider(scrapy.Spider):
    """``-a path=seeds/``: one or more files or folders, separated by os.pathsep or ','."""

    name = "seeds"
    custom_settings = {"ROBOTSTXT_OBEY": False, "AUTOTHROTTLE_ENABLED": False}

    def __init__(self, path: str = "seeds", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        separators = path.replace(",", os.pathsep)
        self.paths = [p for p in separators.split(os.pathsep) if p]
        self._manifests: dict[Path, dict[str, SeedMeta]] = {}

    async def start(self) -> AsyncIterator[scrapy.Request]:
        files, problems = seed_files(self.paths)
        for path, reason in problems:
            self.fail(path, reason)
        for path in files:
            self.crawler.stats.inc_value("seeds/files_found")
            yield scrapy.Request(
                path.resolve().as_uri(),
                callback=self.parse_seed,
                errback=self.read_failed,
                cb_kwargs={"path": path},
                dont_filter=True,
            )

    def parse_seed(self, response: Response, path: Path) -> Iterable[Any]:
        self.crawler.stats.inc_value("seeds/files_read")
        try:
            meta = self._meta_for(path)
            page = SeedArticlePage(
                name=path.name,
                body=response.body,
                meta=meta,
                fetched_at=datetime.now(VIETNAM_TZ),
            )
            yield page.to_item()
        except (SeedFormatError, ManifestError) as exc:
            self.fail(str(path), str(exc).removeprefix(f"{path.name}: "))

    def read_failed(self, failure: Failure) -> None:
        path = failure.request.cb_kwargs["path"]
        self.fail(str(path), f"cannot read: {failure.value}")

    def fail(self, path: str, reason: str) -> None:
        """Log and count a seed that cannot be replayed; the run goes on."""
        self.crawler.stats.inc_value("seeds/failed")
        self.logger.error("Seed %s skipped: %s", path, reason)
        self.crawler.signals.send_catch_log(
            signal=article_failed, item=path, reason=f"{path}: {reason}"
        )

    def _meta_for(self, path: Path) -> SeedMeta:
        manifest_path = find_manifest(path)
        if manifest_path is None:
            return SeedMeta()
        if manifest_path not in self._manifests:
            self._manifests[manifest_path] = load_manifest(manifest_path)
        return self._manifests[manifest_path].get(path.name, SeedMeta())
