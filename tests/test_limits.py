"""Bounded time and memory on any input: pages, texts and articles past the limits are
refused or split with a named reason, the rest of the run goes on, and a local file
that cannot be read fails at once."""

from __future__ import annotations

import asyncio
import http.server
import logging
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from scrapy import Request, Spider
from scrapy.exceptions import DownloadCancelledError, DropItem
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.dates import VIETNAM_TZ
from crawler.items import Article
from crawler.middlewares import BackoffRetryMiddleware
from crawler.pages.seed import size_refusal
from crawler.runs import RunResult
from crawler.spiders.seeds import SeedsSpider
from pipelines.validate import ValidatePipeline, future_published, split_paragraph
from tests.conftest import PROJECT, SEED, run_cli

MB = 1024 * 1024
LIMITS = {"MAX_PAGE_BYTES": 5 * MB, "MAX_ARTICLE_CHARS": 200_000, "MAX_PARAGRAPH_CHARS": 20_000}
SENTENCE = "Công an tỉnh tổ chức hội nghị tổng kết công tác năm. "  # 53 characters


def big_file(path: Path, size: int) -> Path:
    """A file of `size` bytes that takes no time to write (sparse): what is refused by
    its size must be refused before it is read."""
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def article(**fields) -> Article:
    values = {"id": "1", "url": "https://congan.hue.gov.vn/a.html", "source": "site"}
    values |= {"title": "Tiêu đề", "body": ["Đoạn một."]}
    return Article(**(values | fields))


def validate(**settings) -> ValidatePipeline:
    return build_from_crawler(ValidatePipeline, get_crawler(settings_dict=LIMITS | settings))


# --- the reasons ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "limit", "reason"),
    [
        (30 * MB, 5 * MB, "page of 30 MB is over MAX_PAGE_BYTES (5 MB)"),
        (int(20.4 * MB), 5 * MB, "page of 20.4 MB is over MAX_PAGE_BYTES (5 MB)"),
        (5 * MB + 1, 5 * MB, "page of 5242881 bytes is over MAX_PAGE_BYTES (5242880 bytes)"),
        (2000, 1000, "page of 2000 bytes is over MAX_PAGE_BYTES (1000 bytes)"),
        (None, 5 * MB, "page is over MAX_PAGE_BYTES (5 MB)"),
    ],
)
def test_size_refusal_names_both_sizes_and_the_setting(size, limit, reason) -> None:
    assert size_refusal(size, limit, "MAX_PAGE_BYTES") == reason


# --- pages and seed files: refused by their size, before they are read -----------------


def test_seeds_spider_refuses_a_30_mb_file_without_requesting_it(tmp_path) -> None:
    big_file(tmp_path / "huge.txt", 30 * MB)
    shutil.copy(SEED, tmp_path / SEED.name)
    crawler = get_crawler(SeedsSpider, settings_dict=LIMITS)
    result = RunResult().connect(crawler)
    spider = SeedsSpider.from_crawler(crawler, path=str(tmp_path))

    async def requests() -> list[Request]:
        return [request async for request in spider.start()]

    assert [r.cb_kwargs["path"].name for r in asyncio.run(requests())] == [SEED.name]
    assert [(f.url, f.reason) for f in result.failures] == [
        (str(tmp_path / "huge.txt"), "page of 30 MB is over MAX_PAGE_BYTES (5 MB)")
    ]
    assert crawler.stats.get_value("seeds/refused/too_big") == 1


@pytest.mark.parametrize(
    ("name", "size", "reason"),
    [
        ("huge.txt", 30 * MB, "page of 30 MB is over MAX_PAGE_BYTES (5 MB)"),
        ("huge.html", 20 * MB, "page of 20 MB is over MAX_PAGE_BYTES (5 MB)"),
    ],
)
def test_extract_refuses_a_page_over_the_byte_limit(tmp_path, name, size, reason) -> None:
    path = big_file(tmp_path / name, size)
    result = run_cli("extract", str(path))
    assert result.returncode == 1
    assert f"error: {path}: {reason}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not result.stdout


def test_replay_indexes_the_good_file_and_names_the_huge_one(tmp_path, cli_env, es_url) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    big_file(folder / "huge.html", 20 * MB)
    result = run_cli("replay", str(folder), env=cli_env)
    assert result.returncode == 1, result.stderr
    assert "articles indexed: 1 (new 1," in result.stdout
    assert (
        f"failed: {folder / 'huge.html'}: page of 20 MB is over MAX_PAGE_BYTES (5 MB)"
        in result.stdout
    )
    with Elasticsearch(es_url) as es:
        es.indices.refresh(index=cli_env["ES_INDEX"])
        assert es.count(index=cli_env["ES_INDEX"])["count"] == 1


class _BigPage(http.server.BaseHTTPRequestHandler):
    """6 MB of HTML: with its length announced (/length), or streamed without one."""

    protocol_version = "HTTP/1.0"  # no length: the body ends when the connection closes
    body = b"<html><body><p>" + b"x" * (6 * MB) + b"</p></body></html>"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if not self.path.startswith(("/length", "/stream")):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if self.path.startswith("/length"):
            self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        for start in range(0, len(self.body), 64 * 1024):
            self.wfile.write(self.body[start : start + 64 * 1024])

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def big_page_server() -> Iterator[str]:
    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            pass  # the crawler hung up on the page it refused: expected

    server = Server(("127.0.0.1", 0), _BigPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/length", "page of 6 MB is over DOWNLOAD_MAXSIZE (5 MB)"),
        ("/stream", "page is over DOWNLOAD_MAXSIZE (5 MB): its download was stopped"),
    ],
)
def test_a_fetched_page_over_the_limit_fails_with_the_reason(big_page_server, path, reason):
    url = big_page_server + path
    result = run_cli("extract", url)
    assert result.returncode == 1
    assert f"error: {url}: {reason}" in result.stderr


def test_a_download_stopped_at_the_limit_reads_clearly_without_a_retry() -> None:
    middleware = build_from_crawler(BackoffRetryMiddleware, get_crawler(settings_dict=LIMITS))
    request = Request("https://congan.hue.gov.vn/a.html")
    scrapys = DownloadCancelledError(
        f"Expected to receive {8 * MB} bytes which is larger than download max size "
        f"({5 * MB}) in request <GET https://congan.hue.gov.vn/a.html>."
    )
    with pytest.raises(DownloadCancelledError, match=r"^page of 8 MB is over DOWNLOAD_MAXSIZE"):
        asyncio.run(middleware.process_exception(request, scrapys))


# --- a local file that cannot be read: no retry, the reason at once -----------------------


def test_a_file_error_is_not_retried_a_network_error_is() -> None:
    crawler = get_crawler(Spider, {"RETRY_BACKOFF_BASE": 0, "RETRY_TIMES": 3})
    crawler.spider = crawler._create_spider("retry")
    middleware = build_from_crawler(BackoffRetryMiddleware, crawler)
    error = OSError(5, "Input/output error")
    local = Request("file:///tmp/seeds/a.txt")
    assert asyncio.run(middleware.process_exception(local, error)) is None
    remote = Request("https://congan.hue.gov.vn/a.html")
    assert isinstance(asyncio.run(middleware.process_exception(remote, error)), Request)


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_an_unreadable_seed_fails_once_and_clearly(tmp_path) -> None:
    # /proc/self/mem is a file every process may open and none can read from its start
    # (EIO), even as root, for whom file modes change nothing.
    unreadable = tmp_path / "unreadable.txt"
    unreadable.symlink_to("/proc/self/mem")
    result = run_cli("extract", "-v", str(unreadable))
    assert result.returncode == 1
    assert f"error: {unreadable}: cannot read: Input/output error" in result.stderr
    assert "'downloader/request_count': 1," in result.stderr
    assert "retry/" not in result.stderr


# --- articles and paragraphs: characters -------------------------------------------------


def test_an_article_over_the_character_limit_is_refused() -> None:
    pipeline = validate()
    long_body = [SENTENCE * 300] * 13  # 15,900 characters a paragraph, 206,700 in all
    with pytest.raises(
        DropItem, match=r"a\.html: article of 206,707 characters is over MAX_ARTICLE_CHARS"
    ):
        pipeline.process_item(article(body=long_body))
    assert pipeline.stats.get_value("validate/dropped/too_long") == 1
    assert pipeline.process_item(article(body=long_body[:12])) is not None


def test_a_paragraph_over_the_limit_is_split_after_sentences_with_a_reason(caplog) -> None:
    pipeline = validate()
    giant = SENTENCE * 1000  # 53,000 characters, one paragraph
    with caplog.at_level(logging.WARNING):
        item = pipeline.process_item(article(body=["Mở đầu.", giant], captions=["Ảnh."]))
    assert [len(p) <= 20_000 for p in item.body] == [True] * 4
    assert item.body[0] == "Mở đầu."
    assert all(p.endswith("năm.") for p in item.body[1:])  # cut after a sentence
    assert " ".join(item.body[1:]) == giant.strip()  # nothing lost
    assert item.captions == ["Ảnh."]
    assert pipeline.stats.get_value("validate/split_paragraphs") == 1
    assert "a.html: 1 paragraph(s) over MAX_PARAGRAPH_CHARS (20,000 characters)" in caplog.text


@pytest.mark.parametrize(
    ("text", "limit", "parts"),
    [
        ("Một. Hai. Ba.", 20, ["Một. Hai. Ba."]),
        ("Một hai. Ba bốn năm sáu bảy.", 12, ["Một hai.", "Ba bốn năm", "sáu bảy."]),
        ("Câu một! “Câu hai.” Câu ba", 14, ["Câu một!", "“Câu hai.”", "Câu ba"]),
        ("abcdefghij", 4, ["abcd", "efgh", "ij"]),  # no space: cut at the limit
    ],
)
def test_split_paragraph(text, limit, parts) -> None:
    assert split_paragraph(text, limit) == parts


def test_limits_of_zero_are_none() -> None:
    pipeline = validate(MAX_ARTICLE_CHARS=0, MAX_PARAGRAPH_CHARS=0)
    item = pipeline.process_item(article(body=[SENTENCE * 5000]))
    assert len(item.body) == 1


# --- dates in the future -------------------------------------------------------------------

TODAY = date(2026, 12, 2)


FUTURE = "published {} is in the future (after 2026-12-03, Vietnam time)"


@pytest.mark.parametrize(
    ("published", "reason"),
    [
        ("2099-12-01T00:00:00+07:00", FUTURE.format("2099-12-01")),
        ("2026-12-04T00:00:00+07:00", FUTURE.format("2026-12-04")),
        ("2026-12-03T17:30:00+00:00", FUTURE.format("2026-12-04")),  # 00:30 in Vietnam
        ("2026-12-03T23:59:00+07:00", None),  # tomorrow: a time zone ahead, not a typo
        ("2026-12-01T00:00:00+07:00", None),
        (None, None),
        ("not a date", None),
    ],
)
def test_future_published(published, reason) -> None:
    assert future_published(article(published=published), TODAY) == reason


def test_an_article_dated_after_tomorrow_is_refused_tomorrow_is_kept() -> None:
    pipeline = validate()
    today = datetime.now(VIETNAM_TZ).date()
    in_two_days = (today + timedelta(days=2)).isoformat()
    with pytest.raises(DropItem, match=rf"a\.html: published {in_two_days} is in the future"):
        pipeline.process_item(article(published=f"{in_two_days}T08:00:00+07:00"))
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert pipeline.process_item(article(published=f"{tomorrow}T08:00:00+07:00"))
    assert pipeline.stats.get_value("validate/dropped/future_published") == 1


def test_extract_refuses_a_seed_dated_2099(tmp_path) -> None:
    seed = tmp_path / "tuong-lai.txt"
    seed.write_text(" date 2099-12 Tiêu đề\n\nCông an tỉnh tổng kết.\n", encoding="utf-8")
    result = run_cli("extract", str(seed))
    assert result.returncode == 1
    assert "published 2099-12-01 is in the future" in result.stderr


# --- crawler entities -----------------------------------------------------------------------


def entities(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crawler", "entities", *args], cwd=PROJECT, input=stdin,
        capture_output=True, timeout=300, check=False,
    )  # fmt: skip


def test_entities_refuses_a_file_over_the_byte_limit_before_reading_it(tmp_path) -> None:
    path = big_file(tmp_path / "huge.txt", 30 * MB)
    result = entities(str(path))
    assert result.returncode == 2
    assert f"{path}: text of 30 MB is over MAX_PAGE_BYTES (5 MB)".encode() in result.stderr


def test_entities_refuses_stdin_over_the_byte_limit() -> None:
    result = entities("-", stdin=b"a " * (3 * MB))
    assert result.returncode == 2
    assert b"-: text is over MAX_PAGE_BYTES (5 MB)" in result.stderr


def test_entities_refuses_a_text_over_the_character_limit(tmp_path) -> None:
    path = tmp_path / "dai.txt"
    path.write_text(SENTENCE * 4000, encoding="utf-8")  # 212,000 characters, 0.3 MB
    result = entities(str(path))
    assert result.returncode == 2
    reason = "text of 212,000 characters is over MAX_ARTICLE_CHARS (200,000)"
    assert reason.encode() in result.stderr
