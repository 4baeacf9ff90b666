"""The Elasticsearch side of every route: calls in worker threads, bounded by the
client's connections, answers without this machine's local paths."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

import anyio
from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch, NotFoundError
from fastapi import Depends, HTTPException, Request

from crawler.es.local_paths import without_local_paths


class Backend:
    """One client and index alias, shared by the routes (``request.app.state.backend``).

    The client is synchronous: each call takes a worker thread, and at most as many run
    at once as the client has connections. The others wait their turn, in order, holding
    no thread (a thread without a connection would only wait in it).
    """

    def __init__(self, client: Elasticsearch, index: str) -> None:
        self.client, self.index = client, index
        self.limiter = anyio.CapacityLimiter(connections(client))

    def _call(self, *calls: tuple[Any, ...]) -> list[Any]:
        try:
            return [call(self.client, self.index, *args) for call, *args in calls]
        except NotFoundError as exc:
            raise HTTPException(404, "not found") from exc
        except (TransportError, ApiError) as exc:
            raise HTTPException(503, f"search is unavailable: {type(exc).__name__}") from exc

    async def run(self, *calls: tuple[Any, ...]) -> list[Any]:
        """The results of (function, *args) calls on the client and index, in one thread,
        without the local paths of replayed files; 404 or 503 when they fail."""
        results = await anyio.to_thread.run_sync(partial(self._call, *calls), limiter=self.limiter)
        return [without_local_paths(result) for result in results]


def backend(request: Request) -> Backend:
    return request.app.state.backend


Es = Annotated[Backend, Depends(backend)]


def connections(client: Elasticsearch) -> int:
    """How many requests the client can have in flight: its connections to every node."""
    return sum(node.config.connections_per_node for node in client.transport.node_pool.all())
