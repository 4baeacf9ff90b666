"""`crawler spool`: the articles waiting for Elasticsearch."""

from __future__ import annotations

import argparse
from pathlib import Path

from crawler.commands.base import (
    EXIT_FAILED,
    EXIT_OK,
    project_settings,
    require_elasticsearch,
)
from crawler.es.client import client_from_settings
from crawler.es.spool import Spool

HELP = "articles waiting for Elasticsearch: index them (flush) or count them (status)"
EXAMPLE = "crawler spool flush"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["flush", "status"])


def run(args: argparse.Namespace) -> int:
    settings = project_settings()
    spool = Spool(Path(settings["CRAWLER_SPOOL_DIR"]))
    if args.action == "status":
        print(f"{spool.pending()} articles waiting in {spool.folder}")
        return EXIT_OK
    require_elasticsearch(settings)
    indexed, waiting = spool.flush(client_from_settings(settings), settings["ES_INDEX"])
    print(f"indexed {indexed} spooled articles; {waiting} still waiting in {spool.folder}")
    return EXIT_FAILED if waiting else EXIT_OK
