"""`crawler index`: migrate the articles index to the current mapping, merge its segments,
or show what it holds."""

from __future__ import annotations

import argparse

from elastic_transport import TransportError
from elasticsearch import ApiError, NotFoundError

from crawler.commands.base import EXIT_OK, CliError, ProgressLine, project_settings, unreachable
from crawler.es.client import client_from_settings, redact
from crawler.es.index import IndexSetupError, index_stats, merge_segments, migrate

HELP = "the articles index: migrate its mapping, merge its segments, or show what it holds"
EXAMPLE = "crawler index stats"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action", choices=["migrate", "merge", "stats"],
        help="migrate: create or upgrade the index; merge: its segments into a few (after a "
             "bulk load: faster searches); stats: what it holds",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from crawler.es.document import article_document

    settings = project_settings()
    client = client_from_settings(settings)
    alias = settings["ES_INDEX"]
    try:
        if args.action == "migrate":
            print(migrate(client, alias, article_document, ProgressLine("copied")))
        elif args.action == "merge":
            print(merge_segments(client, alias))
        else:
            print_stats(index_stats(client, alias))
    except NotFoundError as exc:
        raise CliError(f"no index '{alias}' at {redact(settings['ES_URL'])} yet") from exc
    except IndexSetupError as exc:
        raise CliError(str(exc)) from exc
    except (TransportError, ApiError) as exc:
        raise CliError(unreachable(settings, exc)) from exc
    return EXIT_OK


def print_stats(stats: dict) -> None:
    print(f"{stats['alias']} -> {stats['index']}: {stats['articles']} articles")
    print("by source: " + ", ".join(f"{k} {v}" for k, v in stats["sources"].items()))
    print("by site:")
    for site, count in stats["sites"].items():
        print(f"  {site:<24} {count:>7}")
    print("by province (today's, with the provinces merged into it):")
    for province, figures in stats["provinces"].items():
        parts = [f"{k} {v}" for k, v in figures["merged"].items()]
        merged = f"  ({', '.join(parts)})" if parts else ""
        print(f"  {province:<24} {figures['articles']:>7}{merged}")
    for field, label in (("persons", "people"), ("organizations", "organisations"),
                         ("locations", "places")):  # fmt: skip
        if stats[field]:
            print(f"most named {label} (articles):")
            for name, count in stats[field].items():
                print(f"  {name:<40} {count:>7}")
