"""An Elasticsearch client configured from settings (which read the environment)."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch

from crawler.config import ConfigError

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


# The transport logs every request at INFO; a crawl log needs only its warnings.
logging.getLogger("elastic_transport").setLevel(logging.WARNING)


def redact(url: str) -> str:
    """A URL fit for logs and reports: any user:password in it replaced."""
    return re.sub(r"//[^/@\s]+@", "//***@", url)


def hosts(url: str) -> list[str]:
    """ES_URL may name several nodes, separated by commas."""
    return [part.strip() for part in url.split(",") if part.strip()]


class KeyFileError(ConfigError):
    """ES_API_KEY_FILE names a file that cannot give a key: one line naming both."""


def client_from_settings(settings: BaseSettings) -> Elasticsearch:
    """A client for the nodes of ES_URL with basic auth or an API key and a CA file.

    Raises KeyFileError when ES_API_KEY_FILE cannot be read or holds no key.
    """
    options: dict = {"request_timeout": settings.getfloat("ES_TIMEOUT", 30.0)}
    if key_file := settings.get("ES_API_KEY_FILE"):
        try:
            options["api_key"] = Path(key_file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            why = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise KeyFileError(f"ES_API_KEY_FILE={key_file!r}: cannot read: {why}") from None
        if not options["api_key"]:
            raise KeyFileError(f"ES_API_KEY_FILE={key_file!r}: the file is empty")
    elif settings.get("ES_API_KEY"):
        options["api_key"] = settings["ES_API_KEY"]
    elif settings.get("ES_USERNAME"):
        options["basic_auth"] = (settings["ES_USERNAME"], settings.get("ES_PASSWORD") or "")
    if settings.get("ES_CA_CERTS"):
        options["ca_certs"] = settings["ES_CA_CERTS"]
    return Elasticsearch(hosts(settings["ES_URL"]), **options)


class ElasticsearchUnavailable(RuntimeError):
    """Elasticsearch cannot be reached or refuses us; nothing was indexed."""


def check_available(client: Elasticsearch, url: str) -> None:
    """Raise ElasticsearchUnavailable, with what to do, unless the cluster answers."""
    try:
        # One try per node: a dead node among several is not a dead cluster.
        tries = len(client.transport.node_pool.all()) - 1
        client.options(max_retries=tries).cluster.health(timeout="10s")
    except (TransportError, ApiError) as exc:
        raise ElasticsearchUnavailable(
            f"Elasticsearch at {redact(url)} is not usable ({type(exc).__name__}: {exc}); "
            "start it with `crawler es up` or set ES_URL"
        ) from exc


def cluster_status(client: Elasticsearch) -> dict[str, Any]:
    """Version and health of the cluster, its nodes, its shards by state (STARTED,
    UNASSIGNED...) and its indices with their aliases."""
    health = client.cluster.health()
    nodes = client.nodes.info(node_id="_local", filter_path="nodes.*.version")
    indices = client.cat.indices(format="json", h="index,docs.count,health")
    aliases = client.cat.aliases(format="json", h="alias,index")
    members = client.cat.nodes(format="json", h="name,http_address,master")
    shards: dict[str, int] = {}
    for row in client.cat.shards(format="json", h="index,state"):
        if not row["index"].startswith("."):
            shards[row["state"]] = shards.get(row["state"], 0) + 1
    alias_of: dict[str, list[str]] = {}
    for row in aliases:
        alias_of.setdefault(row["index"], []).append(row["alias"])
    return {
        "version": next(iter(nodes["nodes"].values()))["version"],
        "health": health["status"],
        "nodes": [
            {"name": row["name"], "address": row["http_address"], "master": row["master"] == "*"}
            for row in sorted(members, key=lambda r: r["name"])
        ],
        "shards": shards,
        "indices": [
            {"index": row["index"], "aliases": alias_of.get(row["index"], []),
             "documents": int(row["docs.count"] or 0), "health": row["health"]}
            for row in sorted(indices, key=lambda r: r["index"])
            if not row["index"].startswith(".")
        ],
    }  # fmt: skip
