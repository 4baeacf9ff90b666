"""`crawler extract`: the article made of one seed, saved page or URL, as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from urllib.parse import urlsplit

from itemadapter import ItemAdapter

from crawler.commands.base import EXIT_FAILED, EXIT_OK, project_settings, start_spider

HELP = "print the article made of a seed, a saved page or a URL"
EXAMPLE = "crawler extract saved/bai-viet.html --url https://congan.laichau.gov.vn/bai-viet"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="URL-or-FILE")
    parser.add_argument("--json", action="store_true", help="JSON output (the default)")
    parser.add_argument(
        "--url", help="the address a saved page was served at (for its links and site)"
    )
    parser.add_argument(
        "--entities", action="store_true",
        help="add the named entities (the entity step takes about 3 s to load)",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    settings = project_settings()
    pipelines = {
        name: order for name, order in settings.getdict("ITEM_PIPELINES").items()
        if "elasticsearch" not in name.lower() and (args.entities or "entities" not in name)
    }  # fmt: skip
    # One page: entities in this process, no worker pool to start and stop; what went
    # wrong is printed below, once, so the log stays quiet unless -v.
    overrides = {"LOG_LEVEL": "INFO" if args.verbose else "CRITICAL",
                 "ITEM_PIPELINES": pipelines, "NER_WORKERS": 1}  # fmt: skip
    if urlsplit(args.source).scheme in ("http", "https"):
        # Someone waits at the terminal: one retry, not a nightly's patient backoff.
        overrides |= {"INCREMENTAL_ENABLED": False, "CLOSESPIDER_PAGECOUNT": 0,
                      "RETRY_TIMES": 1}  # fmt: skip
        result, _ = start_spider("police", overrides, keep_items=True, url=args.source)
    else:
        result, _ = start_spider(
            "seeds", overrides, keep_items=True, path=args.source, url=args.url or ""
        )
    for failure in result.failures:
        print(f"error: {failure.url}: {failure.reason}", file=sys.stderr)
    for item in result.items:
        print(json.dumps(ItemAdapter(item).asdict(), ensure_ascii=False, indent=2))
    if not result.items and not result.failures:
        print(f"error: {args.source}: not an article page", file=sys.stderr)
    return EXIT_OK if result.items and not result.failures else EXIT_FAILED
