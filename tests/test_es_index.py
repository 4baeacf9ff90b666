"""Index life cycle on a real node: migration to a new mapping without empty searches."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from elasticsearch import Elasticsearch

from crawler.es.document import article_document, story_hash
from crawler.es.index import (
    MAPPING_VERSION,
    IndexSetupError,
    ensure_index,
    load_mapping,
    migrate,
    segment_count,
    versioned_name,
)
from crawler.es.search import SearchRequest, search
from crawler.items import Article
from tests.conftest import run_cli


def old_index(es: Elasticsearch, alias: str, count: int) -> str:
    """An index of the previous mapping behind the alias, holding ``count`` articles."""
    old = versioned_name(alias, MAPPING_VERSION - 1)
    body = load_mapping(MAPPING_VERSION - 1)
    es.indices.create(index=old, settings=body["settings"], mappings=body["mappings"],
                      aliases={alias: {"is_write_index": True}})  # fmt: skip
    for number in range(count):
        item = Article(id=f"a{number}", url=f"u{number}", source="seed",
                       title=f"Tin an ninh số {number}", body=["Nội dung."])  # fmt: skip
        doc = article_document(item)
        known = body["mappings"]["properties"]
        doc = {k: v for k, v in doc.items() if k in known}  # the fields the old mapping had
        es.index(index=alias, id=doc["id"], document=doc)
    es.indices.refresh(index=alias)
    return old


def test_writing_to_an_old_mapping_asks_for_migrate(es: Elasticsearch, es_index: str) -> None:
    old_index(es, es_index, 1)
    with pytest.raises(IndexSetupError, match="run `crawler index migrate` first"):
        ensure_index(es, es_index)


def test_migrate_copies_everything_and_search_never_returns_nothing(
    es: Elasticsearch, es_index: str
) -> None:
    old = old_index(es, es_index, 300)
    # Before the copy too, each article is a story of its own.
    assert search(es, es_index, SearchRequest(q="an ninh"))["stories"] == 300
    totals: list[int] = []
    done = threading.Event()

    def keep_searching() -> None:
        client = Elasticsearch(es.transport.node_pool.get().base_url)
        while not done.is_set():
            totals.append(
                client.count(index=es_index, query={"match": {"title": "an ninh"}})["count"]
            )

    reader = threading.Thread(target=keep_searching)
    reader.start()
    heard: list[tuple[int, int]] = []
    try:
        message = migrate(es, es_index, article_document, lambda *p: heard.append(p))
    finally:
        done.set()
        reader.join()
    assert f"copied 300 documents from {old} to {versioned_name(es_index)}" in message
    assert totals
    assert min(totals) == 300
    assert heard[-1] == (300, 300)  # progress reaches the end of the copy
    assert list(es.indices.get_alias(name=es_index)) == [versioned_name(es_index)]
    doc = es.get(index=es_index, id="a7")["_source"]
    assert len(doc["story_key"]) == 16
    assert doc["story_hash"] == story_hash(doc["story_key"])  # what the stories count
    assert search(es, es_index, SearchRequest(q="an ninh"))["stories"] == 300
    assert "already points at" in migrate(es, es_index, article_document)
    es.indices.delete(index=old)


def test_index_stats_command(cli_env) -> None:
    assert run_cli("replay", "seeds/", env=cli_env).returncode == 0
    result = run_cli("index", "stats", env=cli_env)
    assert result.returncode == 0, result.stderr
    assert f"{cli_env['ES_INDEX']} -> {cli_env['ES_INDEX']}-v{MAPPING_VERSION}: 1 articles" in (
        result.stdout
    )
    assert "Ninh Bình                      1  (Nam Định 1)" in result.stdout


def test_merge_leaves_one_segment_of_a_small_index_and_every_article(
    es: Elasticsearch, es_index: str, cli_env: dict[str, str]
) -> None:
    index = ensure_index(es, es_index)
    for batch in range(6):  # each refresh writes a segment, as a crawl's batches do
        for number in range(10):
            item = Article(id=f"b{batch}-{number}", url=f"u{batch}-{number}", source="seed",
                           title=f"Tin an ninh {batch} {number}", body=["Nội dung."])  # fmt: skip
            es.index(index=es_index, id=f"b{batch}-{number}", document=article_document(item))
        es.indices.refresh(index=es_index)
    before = segment_count(es, index)
    assert before >= 6
    result = run_cli("index", "merge", env=cli_env)
    assert result.returncode == 0, result.stderr
    assert f"{index}: {before} segments -> 1 in" in result.stdout
    assert segment_count(es, index) == 1
    assert search(es, es_index, SearchRequest(q="an ninh"))["total"] == 60


def test_merge_with_elasticsearch_down_says_so(cli_env: dict[str, str]) -> None:
    result = run_cli("index", "merge", env={**cli_env, "ES_URL": "http://127.0.0.1:9"})
    assert result.returncode == 2
    assert "Elasticsearch at http://127.0.0.1:9 is not usable" in result.stderr


class _Between(BaseHTTPRequestHandler):
    """Passes requests on to Elasticsearch; before the second, runs ``meanwhile``."""

    target = ""
    meanwhile: Callable[[], object] = staticmethod(lambda: None)
    seen = 0

    def _forward(self) -> None:
        type(self).seen += 1
        if type(self).seen == 2:
            type(self).meanwhile()
        length = int(self.headers.get("Content-Length") or 0)
        request = urllib.request.Request(
            self.target + self.path, data=self.rfile.read(length) if length else None,
            method=self.command, headers=dict(self.headers.items()),
        )  # fmt: skip
        try:
            answer = urllib.request.urlopen(request, timeout=60)
        except urllib.error.HTTPError as exc:
            answer = exc
        body = answer.read()
        self.send_response(answer.status)
        for key, value in answer.headers.items():
            if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _forward

    def log_message(self, *args: object) -> None:
        pass


def test_a_process_that_loses_the_race_to_create_the_index_uses_the_winners(
    es: Elasticsearch, es_url: str, es_index: str
) -> None:
    """Workers started together each find no index: the other's is made between this
    one's look and its own creation. Each goes on with the one index, none stops."""
    handler = type("Handler", (_Between,), {"target": es_url, "seen": 0})
    handler.meanwhile = staticmethod(lambda: ensure_index(Elasticsearch(es_url), es_index))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        slower = Elasticsearch(f"http://127.0.0.1:{server.server_port}")
        assert ensure_index(slower, es_index) == versioned_name(es_index)
    finally:
        server.shutdown()
    assert handler.seen >= 2  # the other process did come in between
    assert list(es.indices.get_alias(name=es_index)) == [versioned_name(es_index)]
    health = es.cluster.health(index=es_index)
    assert health["active_primary_shards"] == 1  # searchable as soon as it is returned


def test_a_plain_index_under_the_alias_name_is_refused_saying_what_to_do(
    es: Elasticsearch, es_index: str
) -> None:
    es.indices.create(index=es_index)
    try:
        with pytest.raises(IndexSetupError, match="plain index, not an alias: set ES_INDEX"):
            ensure_index(es, es_index)
    finally:
        es.indices.delete(index=es_index)
