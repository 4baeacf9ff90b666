"""`crawler es`: start, stop and look at a local Elasticsearch node."""

from __future__ import annotations

import argparse
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import TransportError
from elasticsearch import ApiError
from scrapy.settings import Settings

from crawler.commands.base import EXIT_FAILED, EXIT_OK, CliError, project_settings, unreachable
from crawler.es.client import client_from_settings, cluster_status, hosts, redact
from crawler.es.server import (
    MAVEN_REPO,
    LocalCluster,
    LocalNode,
    ServerError,
    cluster_of,
    default_base,
)

HELP = "manage a local Elasticsearch node or cluster: up, down, status"
EXAMPLE = "crawler es up --nodes 3"
# Each node is a JVM with its own heap: more on one machine is a mistake, not a cluster.
MAX_NODES = 9


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["up", "down", "status"],
                        help="up: download (once), start and wait until healthy; down: stop "
                        "every node started here; status: version, health, nodes, shards "
                        "and indices of ES_URL")  # fmt: skip
    parser.add_argument("--nodes", type=int, default=None, metavar="N",
                        help="up: a cluster of N nodes on loopback, on the port of ES_URL and "
                        "the next ones (default: as many as ES_URL lists, else 1)")  # fmt: skip


def local_node(settings: Settings, size: int | None = None) -> LocalNode | LocalCluster:
    """What `crawler es` manages: a node on the port of ES_URL, which must be on this
    machine, or a cluster of ``size`` nodes (default: as many as ES_URL lists) from it."""
    listed = [urlsplit(url) for url in hosts(settings["ES_URL"])]
    if not _on_this_machine(listed):
        raise CliError(
            f"ES_URL {redact(settings['ES_URL'])} is not on this machine; `crawler es` manages "
            "only local nodes (use http://127.0.0.1:PORT)"
        )
    size = len(listed) if size is None else size
    if not 1 <= size <= MAX_NODES:
        raise CliError(f"--nodes {size}: a local cluster has 1 to {MAX_NODES} nodes")
    base = default_base(Path(settings["CRAWLER_DATA_DIR"]), settings["ES_LOCAL_DIR"])
    port = listed[0].port or 9200
    options = {"base": base, "port": port, "heap": settings["ES_HEAP"],
               "repo": settings["ES_MAVEN_REPO"] or MAVEN_REPO}  # fmt: skip
    transport = settings.getint("ES_TRANSPORT_PORT") or None
    if size == 1:
        return LocalNode(**options, transport_port=transport)
    cluster = LocalCluster(**options, size=size, transport_port=transport or port + 100)
    if len(listed) > 1 and [u.port or 9200 for u in listed] != [n.port for n in cluster.nodes]:
        raise CliError(
            f"ES_URL lists {len(listed)} nodes that are not {size} consecutive ports from "
            f"{port}; set ES_URL={cluster.url}"
        )
    return cluster


def run(args: argparse.Namespace) -> int:
    settings = project_settings()
    if args.action == "status":
        return status(settings)
    try:
        if args.action == "down":
            print(stop_all(settings))
            return EXIT_OK
        print(local_node(settings, args.nodes).up())
    except ServerError as exc:
        raise CliError(str(exc)) from exc
    return EXIT_OK


def stop_all(settings: Settings) -> str:
    """Stop the node of ES_URL, and the other members of its cluster when it is one; when
    none runs from here, the node says whose it is."""
    node = local_node(settings, 1)
    members = cluster_of(node.base, node.port)
    return "\n".join(member.down() for member in members) if members else node.down()


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
    print(f"  {len(found['nodes'])} node(s): " + ", ".join(
        f"{n['name']} {n['address']}{' (master)' if n['master'] else ''}" for n in found["nodes"]
    ))  # fmt: skip
    if missing := _not_answering(settings["ES_URL"], found["nodes"]):
        print(f"  not answering: {', '.join(missing)} (listed in ES_URL, not in the cluster)")
    shards = found["shards"]
    counts = ", ".join(f"{count} {state.lower()}" for state, count in shards.items())
    print(f"  shards: {counts or 'none'}")
    if not found["indices"]:
        print("  no indices yet")
    for row in found["indices"]:
        names = ", ".join(row["aliases"])
        suffix = f" (alias {names})" if names else ""
        print(f"  {row['index']}{suffix}: {row['documents']} documents, {row['health']}")
    return EXIT_OK


def _not_answering(es_url: str, nodes: list[dict]) -> list[str]:
    """The loopback addresses of ES_URL that no member of the cluster serves (a node that
    died). Other addresses may be proxies in front of the nodes: not compared."""
    urls = [urlsplit(url) for url in hosts(es_url)]
    if not _on_this_machine(urls):
        return []
    ports = {int(node["address"].rpartition(":")[2]) for node in nodes}
    return [redact(url.geturl()) for url in urls if (url.port or 9200) not in ports]


def _on_this_machine(urls: list[SplitResult]) -> bool:
    return all(url.hostname in ("127.0.0.1", "localhost") for url in urls)
