"""What every command shares: the one-line error, exit codes, the project's settings."""

from __future__ import annotations

import os

os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from typing import TYPE_CHECKING, Any, TextIO  # noqa: E402

from scrapy.settings import Settings  # noqa: E402
from scrapy.utils.project import get_project_settings  # noqa: E402

from crawler.runner import SpiderError, run_spider  # noqa: E402
from crawler.sites import RegistryError  # noqa: E402

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.runs import RunResult

EXIT_OK = 0
EXIT_FAILED = 1  # the run finished and something in it failed: the summary says what
EXIT_ERROR = 2  # the command could not run: one line on stderr says why


class CliError(Exception):
    """An error shown to the user as one line, with exit code 2."""


def project_settings() -> Settings:
    """crawler.settings from any folder, no scrapy.cfg needed (only `scrapy` needs one);
    SCRAPY_SETTINGS_MODULE, when set, still names the module."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    return get_project_settings()


def require_elasticsearch(settings: Settings) -> None:
    """Fail before a run starts, with what to do, when Elasticsearch is not there."""
    # The client library takes a third of a second to import: commands that never
    # touch Elasticsearch (extract, sites) do not pay for it.
    from crawler.es.client import ElasticsearchUnavailable, check_available, client_from_settings

    try:
        check_available(client_from_settings(settings), settings["ES_URL"])
    except ElasticsearchUnavailable as exc:
        raise CliError(str(exc)) from exc


def unreachable(settings: Settings, exc: Exception) -> str:
    """One line for an Elasticsearch that stopped answering, with what to do."""
    from crawler.es.client import redact

    return (
        f"Elasticsearch at {redact(settings['ES_URL'])} is not usable "
        f"({type(exc).__name__}: {exc}); start it with `crawler es up` or set ES_URL"
    )


def no_index(settings: Settings) -> str:
    """One line for a search before anything was indexed, with what to do."""
    from crawler.es.client import redact

    return (
        f"no index '{settings['ES_INDEX']}' at {redact(settings['ES_URL'])} yet: "
        "run `crawler replay seeds/` first"
    )


def log_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The Scrapy log on stderr with -v; otherwise only errors (the summary says the rest)."""
    return {"LOG_LEVEL": "INFO" if args.verbose else "ERROR"}


def start_spider(
    name: str, overrides: dict[str, Any], keep_items: bool = False, **spider_args: Any
) -> tuple[RunResult, Crawler]:
    """crawler.runner.run_spider, a spider that cannot start being one line for the user."""
    try:
        return run_spider(name, overrides, keep_items, **spider_args)
    except (SpiderError, RegistryError) as exc:
        raise CliError(str(exc)) from exc


class ProgressLine:
    """Progress of work done outside Scrapy (a migration, an export): a live line on a
    terminal, a line every tenth of the way in a log."""

    def __init__(self, what: str, out: TextIO = sys.stderr) -> None:
        self.what, self.out = what, out
        self.live = out.isatty()
        self.started = time.monotonic()
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        tenth = done * 10 // total if total else 10
        if not self.live and tenth == self.shown:
            return
        self.shown = tenth
        rate = done / max(time.monotonic() - self.started, 1e-9)
        left = f", about {(total - done) / rate:.0f} s left" if rate and total > done else ""
        text = f"{self.what}: {done} of {total} ({rate:.0f}/s{left})"
        self.out.write(f"\r\033[K{text}" if self.live else text + "\n")
        if self.live and done >= total:
            self.out.write("\n")
        self.out.flush()
