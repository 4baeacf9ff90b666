"""The articles index: a versioned mapping behind an alias, created on first use."""

from __future__ import annotations

import json
import logging
from importlib import resources
from typing import TYPE_CHECKING, Any

from elasticsearch import BadRequestError

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

logger = logging.getLogger(__name__)

MAPPING_VERSION = 1


class IndexSetupError(RuntimeError):
    """The index or alias cannot be prepared; the message says what to do."""


def load_mapping(version: int = MAPPING_VERSION) -> dict[str, Any]:
    """Settings and mappings of one mapping version, from crawler/es/mappings/."""
    path = resources.files("crawler.es") / "mappings" / f"articles-v{version}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def versioned_name(alias: str, version: int = MAPPING_VERSION) -> str:
    return f"{alias}-v{version}"


def ensure_index(client: Elasticsearch, alias: str) -> str:
    """Name of the index behind the alias, creating both if this is the first use."""
    if client.indices.exists_alias(name=alias):
        return next(iter(client.indices.get_alias(name=alias)))
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
