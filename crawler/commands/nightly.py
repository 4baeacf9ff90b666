"""`crawler nightly`: one incremental crawl of every enabled site, with a run report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.commands.base import (
    EXIT_FAILED,
    EXIT_OK,
    CliError,
    project_settings,
    require_elasticsearch,
)
from crawler.commands.crawl import add_crawl_arguments, crawl_overrides, print_report
from crawler.nightly import nightly_summary, run_nightly
from crawler.report import complete
from crawler.runlock import EXIT_BUSY, RunLocked, RunLockError, exclusive
from crawler.runner import SpiderError
from crawler.sites import RegistryError

HELP = "one incremental crawl of every enabled site, with a run report and alarms"
EXAMPLE = "crawler nightly --json > last-run.json"
LOCK = "nightly.lock"  # in the runs folder: one nightly run at a time


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_crawl_arguments(parser)


def run(args: argparse.Namespace) -> int:
    settings = project_settings()
    require_elasticsearch(settings)
    try:
        # A manual run cannot overlap a scheduled one (cron, systemd, `crawler schedule`).
        with exclusive(Path(settings["CRAWLER_RUNS_DIR"]) / LOCK):
            night = run_nightly(settings, crawl_overrides(args), args.site or [])
    except RunLocked as exc:
        print(f"crawler nightly: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except (SpiderError, RegistryError, RunLockError) as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        print_report(night.report, as_json=True)
    else:
        print(nightly_summary(night))
    return EXIT_OK if complete(night.report) and not night.alarms else EXIT_FAILED
