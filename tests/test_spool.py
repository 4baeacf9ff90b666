"""The spool: a bad line or a document Elasticsearch will never take is set aside with
its reason, never blocks the rest; each document left says why it waits."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from crawler.es.bulk import is_transient, too_large
from crawler.es.document import article_document
from crawler.es.index import ensure_index
from crawler.es.server import LocalNode
from crawler.es.spool import Spool
from crawler.items import Article
from testkit.sites.catalog import registry_yaml, start_sites
from testkit.sites.server import stop
from tests.conftest import (
    FAST_CRAWL,
    PROJECT,
    SEED,
    drop_alias,
    free_port,
    http_request_limit,
    node_base,
    run_cli,
)


def document(number: int, title: str = "Tin", body: str = "Nội dung.") -> dict:
    """An article's document as the pipeline spools it."""
    article = Article(id=f"d{number}", url=f"https://congan.hue.gov.vn/{number}.html",
                      source="site", site="hue", title=f"{title} {number}", body=[body],
                      content_hash=f"h{number}")  # fmt: skip
    return article_document(article)


def line(doc: object) -> bytes:
    return (json.dumps(doc, ensure_ascii=False) + "\n").encode("utf-8")


def spool_env(es_url: str, alias: str, folder: Path) -> dict[str, str]:
    return {**os.environ, "ES_URL": es_url, "ES_INDEX": alias, "CRAWLER_SPOOL_DIR": str(folder)}


def indexed_titles(es: Elasticsearch, alias: str) -> dict[str, str]:
    es.indices.refresh(index=alias)
    hits = es.search(index=alias, size=100)["hits"]["hits"]
    return {hit["_id"]: hit["_source"]["title"] for hit in hits}


# Every kind of line that holds no document, as a crash, a disk or a person leaves it.
BAD_LINES = {
    3: (line(document(2))[:40] + b"\n", "not JSON"),  # cut short, then more was written
    4: (b"\x00\x00garbage from a bad disk\n", "not JSON"),
    5: (b'{"id": "d3", "title": "Tin \xff\xfe"}\n', "not UTF-8"),
    6: (line({"title": "Tin không có id"}), "no id"),
    7: (line({"id": "", "title": "Tin"}), "no id"),
    8: (line({"id": 17, "title": "Tin"}), "no id"),
    9: (line([1, 2]), "not a document: a JSON array"),
    10: (line("một chuỗi"), "not a document: a JSON string"),
    11: (line(42), "not a document: a JSON number"),
    12: (line(None), "not a document: a JSON null"),
    15: (line(document(5))[:-30], "cut short"),  # the writer was killed: no end of line
}


def test_every_kind_of_bad_line_is_set_aside_and_the_rest_indexed(
    es, es_url, es_index, tmp_path
) -> None:
    folder = tmp_path / "spool"
    folder.mkdir()
    lines = {n: raw for n, (raw, _) in BAD_LINES.items()}
    lines |= {1: line(document(1, "Cũ")), 2: b"\n", 13: line(document(4)),
              14: line(document(1, "Mới"))}  # fmt: skip
    path = folder / "20260101T020000-4242.jsonl"
    path.write_bytes(b"".join(lines[n] for n in sorted(lines)))
    env = spool_env(es_url, es_index, folder)

    status = run_cli("spool", "status", env=env)
    assert status.returncode == 0, status.stderr
    assert "2 articles waiting" in status.stdout  # d1 (twice: its last version) and d4
    assert f"{len(BAD_LINES)} lines hold no article" in status.stdout

    flushed = run_cli("spool", "flush", env=env)
    assert flushed.returncode == 1, flushed.stderr  # lines were set aside: look at them
    assert "indexed 2 spooled articles; 0 still waiting" in flushed.stdout
    assert f"set aside: {len(BAD_LINES)} lines that hold no article" in flushed.stdout
    assert indexed_titles(es, es_index) == {"d1": "Mới 1", "d4": "Tin 4"}

    spool = Spool(folder)
    assert spool.files() == []
    records = [json.loads(raw) for raw in spool.bad_lines_file.read_bytes().splitlines()]
    assert {r["line"]: r["reason"].split(":")[0] for r in records} == {
        n: reason.split(":")[0] for n, (_, reason) in BAD_LINES.items()
    }
    for record in records:
        raw, reason = BAD_LINES[record["line"]]
        assert record["reason"].startswith(reason)
        assert record["from"] == str(path)
        assert kept_line(record) == raw  # the line itself, byte for byte

    again = run_cli("spool", "flush", env=env)
    assert again.returncode == 0, again.stdout  # nothing new to look at
    status = run_cli("spool", "status", env=env)
    assert "0 articles waiting" in status.stdout
    assert f"set aside: {len(BAD_LINES)} lines in {spool.bad_lines_file}" in status.stdout


def kept_line(record: dict) -> bytes:
    """The line a bad-lines record keeps, byte for byte (text, or base64 if not UTF-8)."""
    return record["raw"].encode() if "raw" in record else base64.b64decode(record["raw_base64"])


WRITER = """
import sys
from pathlib import Path
from crawler.es.spool import Spool

spool, number = Spool(Path(sys.argv[1])), 0
body = "Công an tỉnh bắt giữ đối tượng trộm cắp tài sản. " * 20000
while True:
    doc = {"id": f"big{number}", "url": f"https://congan.hue.gov.vn/{number}.html",
           "source": "site", "title": f"Tin {number}", "body": [body]}
    spool.append([doc], ["ConnectionError: test"])
    number += 1
"""


def kill_mid_append(folder: Path) -> Path:
    """Start a writer of big documents, SIGKILL it while it writes one; its file."""
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(folder)], cwd=PROJECT)
    try:
        deadline = time.monotonic() + 60
        while not (files := list(folder.glob("*.jsonl"))) or files[0].stat().st_size < 3 << 20:
            assert time.monotonic() < deadline, "the writer stalled"
            assert writer.poll() is None, "the writer stopped"
            time.sleep(0.01)
        with files[0].open("rb") as watched:
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:  # until a line is half written
                watched.seek(watched.seek(0, os.SEEK_END) - 1)
                if watched.read(1) != b"\n":
                    break
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    return files[0]


def test_a_writer_killed_mid_append_loses_only_the_cut_document(es, es_index, tmp_path) -> None:
    for attempt in range(5):  # the kill nearly always lands mid-write; a few tries if not
        folder = tmp_path / f"spool-{attempt}"
        path = kill_mid_append(folder)
        if not path.read_bytes().endswith(b"\n"):
            break
    else:
        pytest.fail("the writer was never killed in the middle of a line")
    complete = path.read_bytes().count(b"\n")
    assert complete >= 2
    cut = path.read_bytes().rsplit(b"\n", 1)[1]

    spool = Spool(folder)
    assert spool.pending() == complete
    done = spool.flush(es, es_index)
    assert (done.indexed, done.waiting, done.bad_lines) == (complete, 0, 1)
    assert list(done.bad_reasons) == ["cut short"]
    assert es.count(index=es_index)["count"] == complete
    (record,) = [json.loads(raw) for raw in spool.bad_lines_file.read_bytes().splitlines()]
    assert record["line"] == complete + 1
    # Kept whole: as text, or in base64 when the kill fell inside a character.
    assert kept_line(record) == cut
    assert cut.startswith(b'{"id": "big')
    assert spool.files() == []


def test_what_elasticsearch_will_never_take_goes_to_dead_letters(
    es, es_url, es_index, tmp_path
) -> None:
    """A document over Elasticsearch's request size limit and one its mapping refuses go
    to the dead letters with their reasons; the others are indexed; the next flush has
    nothing to say (exit 0) though the dead letters stay for someone to look at."""
    ensure_index(es, es_index)
    big = document(2, body="Công an tỉnh bắt giữ đối tượng. " * 10000)  # about 330 kB
    unmapped = {**document(3), "colour": "red"}  # the mapping is strict
    folder = tmp_path / "spool"
    Spool(folder).append([document(1), big, unmapped, document(4)], ["HTTP 429 test"] * 4)
    env = spool_env(es_url, es_index, folder)
    with http_request_limit(es, "100kb"):
        flushed = run_cli("spool", "flush", env=env)
    assert flushed.returncode == 1, flushed.stderr
    assert "indexed 2 spooled articles; 0 still waiting" in flushed.stdout
    assert "dead letters: 2 articles Elasticsearch will never take" in flushed.stdout
    assert "too large for Elasticsearch" in flushed.stdout
    assert "strict_dynamic_mapping_exception" in flushed.stdout
    assert set(indexed_titles(es, es_index)) == {"d1", "d4"}

    spool = Spool(folder)
    dead = {r["id"]: r for r in map(json.loads, spool.dead_letters_file.read_text().splitlines())}
    assert dead["d2"]["reason"].startswith("too large for Elasticsearch: ")
    assert "circuit_breaking_exception" in dead["d2"]["reason"]
    assert dead["d2"]["document"] == big
    assert dead["d3"]["reason"].startswith("HTTP 400 strict_dynamic_mapping_exception")
    assert dead["d3"]["document"] == unmapped

    again = run_cli("spool", "flush", env=env)
    assert again.returncode == 0, again.stdout
    status = run_cli("spool", "status", env=env)
    assert f"dead letters: 2 articles in {spool.dead_letters_file}" in status.stdout


def test_documents_refused_for_now_wait_with_their_reason(es, es_index, tmp_path) -> None:
    """Elasticsearch unreachable when a flush starts: every document stays, each with
    why, and the next flush indexes them."""
    ensure_index(es, es_index)
    spool = Spool(tmp_path / "spool")
    spool.append([document(n) for n in range(3)])
    dead = Elasticsearch(f"http://127.0.0.1:{free_port()}", max_retries=0)
    done = spool.flush(dead, es_index)
    assert (done.indexed, done.waiting) == (0, 3)
    ((reason, count),) = done.waiting_reasons.items()
    assert reason.startswith("ConnectionError")
    assert count == 3
    status = spool.status()
    assert status.waiting == 3
    assert status.waiting_reasons == {reason: 3}
    done = spool.flush(es, es_index)
    assert (done.indexed, done.waiting, done.set_aside) == (3, 0, 0)


# Reasons as bulk_write words them, with Elasticsearch 8.19's own texts (recorded from a
# node started with indexing_pressure.memory.limit: 10kb, and from the in-flight breaker).
COORDINATING = (
    "HTTP 429 es_rejected_execution_exception: rejected execution of coordinating operation "
    "[coordinating_and_primary_bytes={others}, replica_bytes=0, all_bytes={others}, "
    "coordinating_operation_bytes={own}, max_coordinating_bytes=10240]"
)
IN_FLIGHT = (
    "HTTP 429 circuit_breaking_exception: [inflight_requests] Data too large, data for "
    "[<http_request>] would be [60106/58.6kb], which is larger than the limit of [20480/20kb]"
)


TOO_LARGE, WAITS, NEVER = "too large", "waits", "never"


@pytest.mark.parametrize(
    ("reason", "size", "verdict"),
    [
        (COORDINATING.format(others=0, own=30292), 30000, TOO_LARGE),
        (COORDINATING.format(others=9000, own=2000), 1900, WAITS),  # others filled the limit
        (IN_FLIGHT, 30000, TOO_LARGE),  # the document alone is over the limit
        (IN_FLIGHT, 3000, WAITS),  # others' requests in flight
        ("HTTP 413 Request Entity Too Large", 200_000_000, TOO_LARGE),
        (
            "HTTP 429 es_rejected_execution_exception: rejected execution of "
            "TimedRunnable on EsThreadPoolExecutor[name = n/write, queue capacity = 10000]",
            1000,
            WAITS,
        ),  # fmt: skip
        (
            "HTTP 400 document_parsing_exception: [1:12] failed to parse field [published]",
            1000,
            NEVER,
        ),  # fmt: skip
        ("HTTP 400 strict_dynamic_mapping_exception: [1:2] mapping set to strict", 1000, NEVER),
        (
            "HTTP 403 cluster_block_exception: index [a] blocked by: [FORBIDDEN/8/index write]",
            1000,
            WAITS,
        ),  # fmt: skip
        ("HTTP 401 security_exception: unable to authenticate user", 1000, WAITS),
        ("HTTP 503 unavailable_shards_exception: primary shard is not active", 1000, WAITS),
        ("ConnectionError: Connection refused", 1000, WAITS),
    ],
)
def test_which_refusals_are_worth_trying_again(reason: str, size: int, verdict: str) -> None:
    """A one-document request refused: too large (never), for now (waits), or never."""
    said = too_large(reason, size) or reason
    assert said.startswith("too large for Elasticsearch") is (verdict == TOO_LARGE)
    assert is_transient(said) is (verdict == WAITS)


def test_nightly_runs_with_a_bad_spool_line_and_reports_it(es_url, tmp_path) -> None:
    sites = start_sites()
    registry = tmp_path / "sites.yaml"
    registry.write_text(registry_yaml(sites, free_port()), encoding="utf-8")
    alias, runs_index = f"nightly-{uuid.uuid4().hex[:8]}", f"runs-{uuid.uuid4().hex[:8]}"
    folder = tmp_path / "spool"
    folder.mkdir()
    (folder / "20260101T020000-4242.jsonl").write_bytes(line(document(1)) + b'{"id": "d2", "ti')
    env = {**spool_env(es_url, alias, folder), "ES_RUNS_INDEX": runs_index,
           "CRAWLER_SITES": str(registry), "CRAWLER_RUNS_DIR": str(tmp_path / "runs")}  # fmt: skip
    try:
        result = run_cli("nightly", "--site", "laichau", "--json", *FAST_CRAWL,
                         "-s", "NER_ENABLED=0", env=env)  # fmt: skip
    finally:
        for site in sites.values():
            stop(site)
    report = json.loads(result.stdout)  # the flush says its piece on stderr
    assert report["spool_flush"]["indexed"] == 1
    assert report["spool_flush"]["bad_lines"] == 1
    assert report["spool_flush"]["bad_reasons"] == {"cut short": 1}
    assert report["totals"]["new"] == 4  # the crawl ran
    assert any(alarm.startswith("spool: 1 lines") for alarm in report["alarms"])
    assert result.returncode == 1  # the alarm: someone should look at the line set aside
    assert "spool: indexed 1 articles left by an earlier run" in result.stderr
    client = Elasticsearch(es_url)
    client.indices.refresh(index=alias)
    assert client.exists(index=alias, id="d1")
    client.indices.delete(index=runs_index)
    drop_alias(es_url, alias)


def test_elasticsearch_stopped_mid_replay_spools_and_says_so(tmp_path) -> None:
    node = LocalNode(base=node_base(), name="replay-outage", port=free_port())
    shutil.rmtree(node.home, ignore_errors=True)
    node.up()
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    header, text = SEED.read_text(encoding="utf-8").split("\n", 1)
    for number in range(60):
        (seeds / f"tin-{number}.txt").write_text(f"{header} ({number})\n{text}", encoding="utf-8")
    env = spool_env(node.url, f"replay-{uuid.uuid4().hex[:8]}", tmp_path / "spool")
    try:
        replay = subprocess.Popen([sys.executable, "-m", "crawler", "replay", str(seeds)],
                                  cwd=PROJECT, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)  # fmt: skip
        client = Elasticsearch(node.url)
        deadline = time.monotonic() + 120
        while not client.indices.exists_alias(name=env["ES_INDEX"]):  # the replay has begun
            assert time.monotonic() < deadline, "the replay did not open the index"
            assert replay.poll() is None, replay.stderr.read()[-2000:]
            time.sleep(0.1)
        node.down()
        output, errors = replay.communicate(timeout=300)
        assert replay.returncode == 1, errors[-2000:]
        assert "files read: 60, articles indexed: 0" in output
        assert "spooled: 60, failed: 0" in output
        assert "60 articles wait in the spool: run `crawler spool flush`" in output
        node.up()
        flushed = run_cli("spool", "flush", env=env)
        assert flushed.returncode == 0, flushed.stdout + flushed.stderr
        assert "indexed 60 spooled articles; 0 still waiting" in flushed.stdout
    finally:
        node.down()
        shutil.rmtree(node.home, ignore_errors=True)


def test_a_flush_waits_for_a_writer_and_leaves_it_a_new_file(tmp_path) -> None:
    """A writer keeps appending after a flush took its file over: its lines go to a new
    file of the same name, and the taken one is read first."""
    folder = tmp_path / "spool"
    writer = Spool(folder)
    writer.append([document(1)])
    first = writer.files()
    assert [p.name.endswith(".jsonl") for p in first] == [True]
    claimed = Spool(folder)._claim()
    writer.append([document(2)])  # to the same name: a new file, not the claimed one
    assert [p.name for p in writer.files()] == [claimed[0].name, first[0].name]
    assert writer.pending() == 2
