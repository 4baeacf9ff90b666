"""The articles index: a versioned mapping behind an alias, created on first use."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from importlib import resources
from typing import TYPE_CHECKING, Any

from elasticsearch import BadRequestError
from elasticsearch.helpers import bulk, scan

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

logger = logging.getLogger(__name__)

MAPPING_VERSION = 3


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


def ensure_index(client: Elasticsearch, alias: str) -> str:
    """Name of the index behind the alias, creating both if this is the first use."""
    if client.indices.exists_alias(name=alias):
        index = next(iter(client.indices.get_alias(name=alias)))
        if index_version(client, index) < MAPPING_VERSION:
            raise IndexSetupError(
                f"'{alias}' points at {index} (mapping v{index_version(client, index)}); this "
                f"version writes mapping v{MAPPING_VERSION}: run `crawler index migrate` first"
            )
        return index
    if client.indices.exists(index=alias):
        raise IndexSetupError(
            f"'{alias}' is a plain index, not an alias: set ES_INDEX to another name "
            f"or delete the index '{alias}'"
        )
    index = versioned_name(alias)
    body = load_mapping()
    try:
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
    return index


def migrate(client: Elasticsearch, alias: str, upgrade: Callable[[dict], dict]) -> str:
    """Move the alias to an index of the current mapping, copying every document.

    The copy goes to a new index while searches still read the old one; then one atomic
    alias update switches readers and writers, so search never returns nothing. Each
    document passes through ``upgrade`` to gain the fields the new mapping adds.
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
    actions = (
        {"_index": target, "_id": hit["_id"], "_source": upgrade(hit["_source"])}
        for hit in scan(client, index=current, query={"query": {"match_all": {}}})
    )
    copied, errors = bulk(client, actions, raise_on_error=False)
    if errors:
        raise IndexSetupError(f"{len(errors)} documents could not be copied: {errors[:3]}")
    client.indices.refresh(index=target)
    client.indices.update_aliases(
        actions=[
            {"remove": {"index": current, "alias": alias}},
            {"add": {"index": target, "alias": alias, "is_write_index": True}},
        ]
    )
    return f"copied {copied} documents from {current} to {target}; {alias} now points at {target}"
