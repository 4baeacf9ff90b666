"""Latency of the web app under concurrent searches: p50/p95/max at 20 and 200 at once.

Usage (a local Elasticsearch must be up, given by ES_URL, default http://127.0.0.1:9200):
    .venv/bin/python benchmarks/web_load.py [--articles 10000] [--requests 200]
        [--concurrency 20 200] [--path /api/search] [--index ALIAS] [--keep]

Generates articles as benchmarks/search_latency.py does and bulk-indexes them into a
throwaway alias (or searches --index, an alias already there), starts `crawler serve` on
loopback over it, as users run it, then sends --requests searches (the judged queries of
tests/data/relevance/queries.json in turn) with at most N in flight for each N of
--concurrency, and prints client-side latency, throughput and the server's CPU time per
request (Linux). Every answer to one query must be the same at every concurrency: a load
that changes results is a failure, not a speed-up.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

import httpx  # noqa: E402
from elasticsearch import Elasticsearch  # noqa: E402
from elasticsearch.helpers import parallel_bulk  # noqa: E402

from benchmarks.search_latency import articles  # noqa: E402
from crawler.es.index import ensure_index  # noqa: E402

QUERIES = PROJECT / "tests/data/relevance/queries.json"


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU time of a process and its waited-for children (Linux only)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_index(client: Elasticsearch, alias: str, count: int) -> int:
    """The generated articles in a new alias; how many it holds."""
    ensure_index(client, alias)
    client.indices.put_settings(index=alias, settings={"refresh_interval": "-1"})
    actions = ({"_index": alias, "_id": d["id"], "_source": d} for d in articles(count))
    failed = sum(1 for ok, _ in parallel_bulk(client, actions, thread_count=2, chunk_size=1000)
                 if not ok)  # fmt: skip
    client.indices.put_settings(index=alias, settings={"refresh_interval": "1s"})
    client.indices.refresh(index=alias)
    client.indices.forcemerge(index=alias, max_num_segments=5)
    if failed:
        print(f"{failed} articles failed to index", file=sys.stderr)
    return client.count(index=alias)["count"]


def start_server(es_url: str, alias: str, port: int) -> subprocess.Popen:
    """`crawler serve` on 127.0.0.1:port, once it answers."""
    env = {**os.environ, "ES_URL": es_url, "ES_INDEX": alias}
    command = [sys.executable, "-m", "crawler", "serve", "--host", "127.0.0.1",
               "--port", str(port)]  # fmt: skip
    server = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"`crawler serve` exited with {server.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("`crawler serve` did not answer within 60 s")


async def burst(base: str, path: str, queries: list[str], total: int, at_once: int):
    """Latencies (ms) of `total` searches with at most `at_once` in flight, the wall time,
    and the answers by query."""
    gate = asyncio.Semaphore(at_once)
    timings: list[float] = []
    answers: dict[str, set[str]] = {}
    limits = httpx.Limits(max_connections=at_once, max_keepalive_connections=at_once)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:

        async def one(number: int) -> None:
            query = queries[number % len(queries)]
            async with gate:
                begin = time.perf_counter()
                response = await client.get(path, params={"q": query})
                timings.append((time.perf_counter() - begin) * 1000)
            response.raise_for_status()
            answers.setdefault(query, set()).add(response.text)

        started = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(total)))
        wall = time.perf_counter() - started
    return sorted(timings), wall, answers


def percentile(timings: list[float], share: float) -> float:
    return timings[max(0, int(len(timings) * share) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--index", help="search this alias instead of generating one")
    parser.add_argument("--requests", type=int, default=200, help="searches per concurrency")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[20, 200])
    parser.add_argument("--path", default="/api/search", help="/api/search, /api/facets or /")
    parser.add_argument("--keep", action="store_true", help="keep the generated index")
    args = parser.parse_args()
    es_url = os.environ.get("ES_URL", "http://127.0.0.1:9200")
    client = Elasticsearch(es_url, request_timeout=300)
    alias = args.index or f"bench-web-{uuid.uuid4().hex[:8]}"
    if not args.index:
        started = time.perf_counter()
        count = build_index(client, alias, args.articles)
        print(f"indexed {count} articles in {time.perf_counter() - started:.0f} s")
    queries = [q["query"] for q in json.loads(QUERIES.read_text())["queries"]]
    port = free_port()
    server = start_server(es_url, alias, port)
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(burst(base, args.path, queries, len(queries), 4))  # warm-up
        seen: dict[str, set[str]] = {}
        for at_once in args.concurrency:
            cpu_before = cpu_seconds(server.pid)
            timings, wall, answers = asyncio.run(
                burst(base, args.path, queries, args.requests, at_once)
            )
            cpu_after = cpu_seconds(server.pid)
            cpu = ""
            if cpu_before is not None and cpu_after is not None:
                per_request = (cpu_after - cpu_before) * 1000 / args.requests
                cpu = f", server CPU {per_request:.1f} ms/request"
            for query, texts in answers.items():
                seen.setdefault(query, set()).update(texts)
            print(f"{args.requests} x GET {args.path}, {at_once} at once: "
                  f"p50 {statistics.median(timings):.0f} ms, "
                  f"p95 {percentile(timings, 0.95):.0f} ms, max {timings[-1]:.0f} ms, "
                  f"{args.requests / wall:.0f} requests/s{cpu}")  # fmt: skip
        changed = [query for query, texts in seen.items() if len(texts) > 1]
        if changed:
            raise SystemExit(f"answers differ between runs for: {', '.join(changed)}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.index and not args.keep:
            client.indices.delete(index=list(client.indices.get_alias(name=alias)))


if __name__ == "__main__":
    main()
