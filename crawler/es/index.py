"""The articles index: a versioned mapping behind an alias, created on first use."""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Iterator
from importlib import resources
from typing import TYPE_CHECKING, Any, NamedTuple

from elasticsearch import BadRequestError
from elasticsearch.helpers import bulk, scan

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

logger = logging.getLogger(__name__)

MAPPING_VERSION = 6


class IndexSetupError(RuntimeError):
    """The index or alias cannot be prepared; the message says what to do."""


def load_mapping(version: int = MAPPING_VERSION) -> dict[str, Any]:
    """Settings and mappings of one mapping version, from crawler/es/mappings/."""
    path = resources.files("crawler.es") / "mappings" / f"articles-v{version}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def versioned_name(alias: str, version: int = MAPPING_VERSION) -> str:
    return f"{alias}-v{version}"


def index_version(client: Elasticsearch, index: str) -> int:
    meta = client.indices.get_mapping(index=index)[index]["mappings"].get("_meta", {})
    return int(meta.get("mapping_version", 1))


# One shard, and a replica as soon as a second node can hold it: green on one node, a
# node of a cluster may die (auto_expand_replicas is core Elasticsearch).
SMALL_INDEX = {"number_of_shards": 1, "auto_expand_replicas": "0-1"}


def ensure_small_index(
    client: Elasticsearch, index: str, mappings: dict[str, Any] | None = None
) -> None:
    """A plain index of few documents (run reports, saved searches), made on first use."""
    if client.indices.exists(index=index):
        return
    try:
        client.indices.create(index=index, mappings=mappings, settings=SMALL_INDEX)
    except BadRequestError as exc:
        if exc.error != "resource_already_exists_exception":
            raise


def ensure_index(client: Elasticsearch, alias: str) -> str:
    """Name of the index behind the alias, creating both if this is the first use, once
    its primary shard can take reads and writes.

    Crawler processes started together (a crawl's workers) all come here: the name is
    read in one request, so another process's index cannot appear between two checks,
    and the one that loses the race to create uses the winner's."""
    index = _index_behind(client, alias)
    if index is not None:
        version = index_version(client, index)
        if version < MAPPING_VERSION:
            raise IndexSetupError(
                f"'{alias}' points at {index} (mapping v{version}); this version writes "
                f"mapping v{MAPPING_VERSION}: run `crawler index migrate` first"
            )
        _wait_for_primaries(client, index)
        return index
    index = versioned_name(alias)
    body = load_mapping()
    try:
        # Answers once the primary shard has started (wait_for_active_shards is 1).
        client.indices.create(
            index=index,
            settings=body["settings"],
            mappings=body["mappings"],
            aliases={alias: {"is_write_index": True}},
        )
        logger.info("Created index %s behind alias %s", index, alias)
    except BadRequestError as exc:
        if exc.error != "resource_already_exists_exception":
            raise
        client.indices.put_alias(index=index, name=alias)
        _wait_for_primaries(client, index)
    return index


def _wait_for_primaries(client: Elasticsearch, index: str) -> None:
    """Until the index's primary shards have started (30 s at most): another process's
    index is named as soon as it is made, and a search before that answers 503."""
    client.options(ignore_status=408).cluster.health(
        index=index, wait_for_status="yellow", timeout="30s"
    )


def _index_behind(client: Elasticsearch, alias: str) -> str | None:
    """The index the alias points at; None when the name is free."""
    # GET /<name>/_alias resolves an alias to its indices and names a plain index itself.
    found = client.options(ignore_status=404).indices.get_alias(index=alias)
    if found.meta.status == 404:
        return None
    if alias in found:
        raise IndexSetupError(
            f"'{alias}' is a plain index, not an alias: set ES_INDEX to another name "
            f"or delete the index '{alias}'"
        )
    return next(iter(found))


def migrate(
    client: Elasticsearch, alias: str, upgrade: Callable[[dict], dict],
    progress: Callable[[int, int], None] | None = None,
) -> str:  # fmt: skip
    """Move the alias to an index of the current mapping, copying every document.

    The copy goes to a new index while searches still read the old one; then one atomic
    alias update switches readers and writers, so search never returns nothing. Each
    document passes through ``upgrade`` to gain the fields the new mapping adds;
    ``progress(copied, total)`` hears how far the copy is.
    """
    if not client.indices.exists_alias(name=alias):
        ensure_index(client, alias)
        return f"created {versioned_name(alias)} behind alias {alias}"
    current = next(iter(client.indices.get_alias(name=alias)))
    target = versioned_name(alias)
    if current == target:
        return f"{alias} already points at {target} (mapping v{MAPPING_VERSION})"
    body = load_mapping()
    if not client.indices.exists(index=target):
        client.indices.create(index=target, settings=body["settings"], mappings=body["mappings"])
    total = client.count(index=current)["count"]

    def actions() -> Iterator[dict[str, Any]]:
        query = {"query": {"match_all": {}}}
        for done, hit in enumerate(scan(client, index=current, query=query), 1):
            yield {"_index": target, "_id": hit["_id"], "_source": upgrade(hit["_source"])}
            if progress and (done % 500 == 0 or done == total):
                progress(done, total)

    copied, errors = bulk(client, actions(), raise_on_error=False)
    if errors:
        raise IndexSetupError(f"{len(errors)} documents could not be copied: {errors[:3]}")
    client.indices.refresh(index=target)
    merged = merge_segments(client, target)  # searches still read the old index meanwhile
    client.indices.update_aliases(
        actions=[
            {"remove": {"index": current, "alias": alias}},
            {"add": {"index": target, "alias": alias, "is_write_index": True}},
        ]
    )
    merging = f" ({merged.before} segments merged into {merged.after})" if merged.changed else ""
    return (
        f"copied {copied} documents from {current} to {target}{merging}; "
        f"{alias} now points at {target}"
    )


# Elasticsearch's largest merged segment (max_merged_segment): its merge policy leaves a
# larger one alone until a fifth of it is deleted, so a merge makes none larger.
MAX_SEGMENT_BYTES = 5 * 1024**3
MERGE_TIMEOUT = 6 * 3600  # seconds: 12.6 GiB of articles (29 segments) took 106 s here


def segment_count(client: Elasticsearch, index: str) -> int:
    """The segments of the index's primary shards: each search reads every one."""
    stats = client.indices.stats(index=index, metric="segments")
    return sum(i["primaries"]["segments"]["count"] for i in stats["indices"].values())


class Merged(NamedTuple):
    index: str
    before: int  # segments
    after: int
    seconds: float

    @property
    def changed(self) -> bool:
        return self.after < self.before

    def __str__(self) -> str:
        if not self.changed:
            return f"{self.index}: {_segments(self.before)}, as few as its size allows"
        return f"{self.index}: {_segments(self.before)} -> {self.after} in {self.seconds:.0f} s"


def _segments(count: int) -> str:
    return f"{count} segment{'' if count == 1 else 's'}"


def merge_segments(client: Elasticsearch, index: str, above: int = 0) -> Merged:
    """Merge the index (or the index behind an alias) into as few segments as keep each
    under MAX_SEGMENT_BYTES, when it has more than ``above``. Bulk loading leaves tens of
    segments, and a search costs about a fifth less on one than on twenty-three (README).
    Stopped here, the merge goes on in Elasticsearch."""
    started = time.monotonic()
    stats = client.indices.stats(index=index, metric=["store", "segments"])["indices"]
    name, primaries = next((name, each["primaries"]) for name, each in stats.items())
    target = max(1, math.ceil(primaries["store"]["size_in_bytes"] / MAX_SEGMENT_BYTES))
    before = primaries["segments"]["count"]
    if before > max(target, above):  # a million articles: minutes
        client.options(request_timeout=MERGE_TIMEOUT).indices.forcemerge(
            index=name, max_num_segments=target
        )
    return Merged(name, before, segment_count(client, name), time.monotonic() - started)


# Entities nested in others count too (the place in "Công an tỉnh X"); relative
# organisations under their resolved names ("Công an tỉnh Nam Định").
STATS_ENTITY_FIELDS = ("persons", "organizations", "locations")


def index_stats(client: Elasticsearch, alias: str) -> dict[str, Any]:
    """What the index holds: articles by source, site and province (today's, with the
    provinces merged into it), and the most named entities."""
    aggs: dict[str, Any] = {
        "sites": {"terms": {"field": "site", "size": 200, "missing": "-"}},
        "provinces": {
            "terms": {"field": "province_current", "size": 100, "missing": "-"},
            "aggs": {"published": {"terms": {"field": "province", "size": 30}}},
        },
        "sources": {"terms": {"field": "source"}},
    }
    aggs |= {field: {"terms": {"field": field, "size": 10}} for field in STATS_ENTITY_FIELDS}
    result = client.search(index=alias, size=0, aggs=aggs, track_total_hits=True)
    buckets = result["aggregations"]

    def counts(name: str) -> dict[str, int]:
        return {b["key"]: b["doc_count"] for b in buckets[name]["buckets"]}

    return {
        "alias": alias,
        "index": next(iter(client.indices.get_alias(name=alias))),
        "articles": result["hits"]["total"]["value"],
        "sources": counts("sources"),
        "sites": counts("sites"),
        "provinces": {
            b["key"]: {
                "articles": b["doc_count"],
                "merged": {
                    m["key"]: m["doc_count"]
                    for m in b["published"]["buckets"]
                    if m["key"] != b["key"]
                },  # fmt: skip
            }
            for b in buckets["provinces"]["buckets"]
        },
        **{field: counts(field) for field in STATS_ENTITY_FIELDS},
    }
