"""`crawler replay`: seed files and saved pages into the index, offline."""

from __future__ import annotations

import argparse
import os
from dataclasses import asdict

from crawler.commands.base import (
    EXIT_FAILED,
    EXIT_OK,
    log_overrides,
    project_settings,
    require_elasticsearch,
    start_spider,
)
from crawler.es.client import redact
from crawler.report import failed

HELP = "replay seed files (.txt) and saved pages (.html) into the index"
EXAMPLE = "crawler replay seeds/"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")


def run(args: argparse.Namespace) -> int:
    settings = project_settings()
    require_elasticsearch(settings)
    overrides = {**log_overrides(args), "PROGRESS_ENABLED": True}
    result, crawler = start_spider("seeds", overrides, path=os.pathsep.join(args.paths))
    totals = result.totals()
    indexed = totals.new + totals.updated + totals.unchanged
    lost = failed(asdict(totals))
    print(
        f"files read: {crawler.stats.get_value('seeds/files_read', 0)}, articles indexed: "
        f"{indexed} (new {totals.new}, updated {totals.updated}, unchanged {totals.unchanged}; "
        f"index {settings['ES_INDEX']} at {redact(settings['ES_URL'])}), "
        f"spooled: {totals.spooled}, failed: {lost}"
    )
    if totals.spooled:
        print(f"  {totals.spooled} articles wait in the spool: run `crawler spool flush`")
    for failure in result.failures:
        print(f"  failed: {failure.url}: {failure.reason}")
    return EXIT_FAILED if lost or totals.spooled else EXIT_OK
