"""Write documents in bulk: what is stored already, index or touch each, and why any
document failed (transient failures are worth trying again later)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from elasticsearch.helpers import parallel_bulk

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


def stored_hashes(client: Elasticsearch, alias: str, ids: list[str]) -> dict[str, str | None]:
    """content_hash of the documents that already exist, by id."""
    found = client.mget(index=alias, ids=ids, source=["content_hash"])["docs"]
    return {d["_id"]: d["_source"].get("content_hash") for d in found if d.get("found")}


def bulk_index(
    client: Elasticsearch, alias: str, docs: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], str | None]]:
    """Index documents; for each, None when indexed or the reason it failed."""
    return bulk_write(client, alias, [(doc, index_action(alias, doc)) for doc in docs])


def index_action(alias: str, doc: dict[str, Any]) -> dict[str, Any]:
    return {"_index": alias, "_id": doc["id"], "_source": doc}


def touch_action(alias: str, doc: dict[str, Any]) -> dict[str, Any]:
    """Unchanged content: only record that (and how) it was fetched again."""
    fresh = {k: doc.get(k) for k in ("fetched_at", "http_etag", "http_last_modified")}
    return {"_op_type": "update", "_index": alias, "_id": doc["id"], "doc": fresh}


def bulk_write(
    client: Elasticsearch, alias: str, pairs: list[tuple[dict[str, Any], dict[str, Any]]]
) -> list[tuple[dict[str, Any], str | None]]:
    """Send (document, action) pairs in bulk; each document with None or why it failed."""
    # Two threads, as elasticsearch.helpers.parallel_bulk does; results come back in order.
    results = parallel_bulk(
        client,
        (action for _, action in pairs),
        thread_count=2,
        chunk_size=max(1, (len(pairs) + 1) // 2),
        raise_on_error=False,
        raise_on_exception=False,
    )
    outcomes = []
    for (doc, _), (ok, result) in zip(pairs, results, strict=True):
        info = next(iter(result.values()), {})
        error = info.get("error") or info.get("exception")
        outcomes.append((doc, None if ok else _reason(error, info.get("status"))))
    return outcomes


def is_transient(reason: str) -> bool:
    """Connection trouble, overload or a server error: worth trying again later."""
    return not reason.startswith("HTTP 4") or reason.startswith("HTTP 429")


def _reason(error: Any, status: Any) -> str:
    if isinstance(error, dict):
        return f"HTTP {status} {error.get('type')}: {error.get('reason')}"
    return f"{type(error).__name__}: {error}" if error else f"HTTP {status}"
