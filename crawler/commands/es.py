"""`crawler es`: start, stop and look at a local Elasticsearch node."""

from __future__ import annotations

import argparse
from pathlib import Path
from urllib.parse import urlsplit

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import TransportError
from elasticsearch import ApiError
from scrapy.settings import Settings
from scrapy.utils.conf import closest_scrapy_cfg

from crawler.commands.base import EXIT_FAILED, EXIT_OK, CliError, project_settings, unreachable
from crawler.es.client import client_from_settings, cluster_status, redact
from crawler.es.server import MAVEN_REPO, LocalNode, ServerError, default_base

HELP = "manage a local Elasticsearch node: up, down, status"
EXAMPLE = "crawler es up"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["up", "down", "status"],
                        help="up: download (once), start and wait until healthy; down: stop; "
                        "status: version, health and indices of ES_URL")  # fmt: skip


def project_dir() -> Path:
    cfg = closest_scrapy_cfg()
    return Path(cfg).parent if cfg else Path.cwd()


def local_node(settings: Settings) -> LocalNode:
    """The node `crawler es` manages: the port of ES_URL, which must be on this machine."""
    url = urlsplit(settings["ES_URL"])
    if url.hostname not in ("127.0.0.1", "localhost"):
        raise CliError(
            f"ES_URL {redact(settings['ES_URL'])} is not on this machine; `crawler es` manages "
            "only a local node (use http://127.0.0.1:PORT)"
        )
    return LocalNode(
        base=default_base(project_dir(), settings["ES_LOCAL_DIR"]),
        port=url.port or 9200,
        heap=settings["ES_HEAP"],
        repo=settings["ES_MAVEN_REPO"] or MAVEN_REPO,
        transport_port=settings.getint("ES_TRANSPORT_PORT") or None,
    )


def run(args: argparse.Namespace) -> int:
    settings = project_settings()
    if args.action == "status":
        return status(settings)
    node = local_node(settings)
    try:
        print(node.up() if args.action == "up" else node.down())
    except ServerError as exc:
        raise CliError(str(exc)) from exc
    return EXIT_OK


def status(settings: Settings) -> int:
    url = redact(settings["ES_URL"])
    try:
        found = cluster_status(client_from_settings(settings))
    except TransportConnectionError:
        print(f"Elasticsearch at {url}: not running (start it with `crawler es up`)")
        return EXIT_FAILED
    except (TransportError, ApiError) as exc:
        raise CliError(unreachable(settings, exc)) from exc
    print(f"Elasticsearch {found['version']} at {url}: {found['health']}")
    if not found["indices"]:
        print("  no indices yet")
    for row in found["indices"]:
        names = ", ".join(row["aliases"])
        suffix = f" (alias {names})" if names else ""
        print(f"  {row['index']}{suffix}: {row['documents']} documents, {row['health']}")
    return EXIT_OK
