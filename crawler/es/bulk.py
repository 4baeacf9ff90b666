"""Write documents in bulk: what is stored already, index or touch each, and why any
document failed (transient failures are worth trying again later; a document too large
for Elasticsearch, or refused otherwise, never is)."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from elasticsearch import ApiError
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
    """Send (document, action) pairs in bulk; each document with None or why it failed.

    A request refused for its size (413, or a 429 over a memory limit) is sent again one
    document at a time, so that the one too large is told from the ones that fit."""
    # Two threads, as elasticsearch.helpers.parallel_bulk does; results come back in order.
    results = parallel_bulk(
        client,
        (action for _, action in pairs),
        thread_count=2,
        chunk_size=max(1, (len(pairs) + 1) // 2),
        raise_on_error=False,
        raise_on_exception=False,
    )
    outcomes: list[tuple[dict[str, Any], str | None]] = []
    alone: list[int] = []  # refused for the size of a request that held others
    for (doc, action), (ok, result) in zip(pairs, results, strict=True):
        info = next(iter(result.values()), {})
        reason = None if ok else _reason(info)
        if reason and info.get("status") in (413, 429):
            if len(pairs) == 1:
                reason = too_large(reason, _size(action)) or reason
            elif _maybe_size(reason, whole_request="exception" in info):
                alone.append(len(outcomes))
        outcomes.append((doc, reason))
    for position in alone:
        outcomes[position] = bulk_write(client, alias, [pairs[position]])[0]
    return outcomes


def is_transient(reason: str) -> bool:
    """Connection trouble, overload, a server error or a refusal that is not the
    document's fault: worth trying again later. A document too large for Elasticsearch,
    or refused for what it holds (a mapping error: any other 4xx), never is."""
    if reason.startswith(TOO_LARGE):
        return False
    return not reason.startswith("HTTP 4") or reason.startswith(NOT_THE_DOCUMENT)


TOO_LARGE = "too large for Elasticsearch"
# Refusals that end when the cluster is put right, whatever the document: credentials
# (401, 403), a blocked or missing index (403, 404), a timeout (408), overload (429).
NOT_THE_DOCUMENT = ("HTTP 401", "HTTP 403", "HTTP 404", "HTTP 408", "HTTP 429")
# How Elasticsearch words a request over a memory limit: indexing pressure says the bytes
# of the request and the limit; a circuit breaker says its limit and, for the parent
# breaker, the bytes this request adds (a child breaker only says the total in use).
_PRESSURE = re.compile(r"_operation_bytes=(\d+), max_\w*bytes=(\d+)")
_BREAKER = re.compile(r"larger than the limit of \[(\d+)")
_BREAKER_NEW = re.compile(r"new bytes reserved: \[(\d+)")


def too_large(reason: str, size: int) -> str | None:
    """The reason, said plainly, when a request of one document of `size` bytes was
    refused for that document's own size: it will never fit, however often it is sent."""
    if reason.startswith("HTTP 413"):
        return f"{TOO_LARGE}: {size} bytes, over http.max_content_length ({reason})"
    if not reason.startswith("HTTP 429"):
        return None
    if pressure := _PRESSURE.search(reason):
        needed, limit = int(pressure[1]), int(pressure[2])
    elif breaker := _BREAKER.search(reason):
        new = _BREAKER_NEW.search(reason)
        needed, limit = (int(new[1]) if new else size), int(breaker[1])
    else:
        return None
    if needed <= limit:
        return None  # others' requests filled the limit: overload, worth trying again
    return f"{TOO_LARGE}: {needed} bytes, over its limit of {limit} ({reason})"


def _maybe_size(reason: str, whole_request: bool) -> bool:
    """A refusal that may come from the request's size rather than from overload."""
    if pressure := _PRESSURE.search(reason):
        return int(pressure[1]) > int(pressure[2])
    return whole_request and (reason.startswith("HTTP 413") or bool(_BREAKER.search(reason)))


def _size(action: dict[str, Any]) -> int:
    """Bytes of an action's document as the client sends it (compact UTF-8 JSON)."""
    body = action.get("_source", action.get("doc"))
    return len(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())


def _reason(info: dict[str, Any]) -> str:
    """Why one action failed: Elasticsearch's status, error type and reason."""
    status, error = info.get("status"), info.get("error")
    exception = info.get("exception")
    if isinstance(exception, ApiError):  # the whole request was refused
        body = exception.body
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return f"HTTP {status} {exception.message}: {body or exception}"
    if isinstance(error, dict):
        return f"HTTP {status} {error.get('type')}: {error.get('reason')}"
    error = error or exception
    return f"{type(error).__name__}: {error}" if error else f"HTTP {status}"
