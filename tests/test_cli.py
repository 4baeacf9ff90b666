"""The `crawler` command and `scrapy crawl seeds`, run as a user runs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from elasticsearch import Elasticsearch

from tests.conftest import PROJECT, SEED, free_port, run_cli


def test_replay_reports_bad_seeds_and_indexes_the_good(tmp_path, cli_env, es_url) -> None:
    shutil.copy(SEED, tmp_path / "good.txt")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "noheader.txt").write_text("Chỉ một đoạn văn.\n\nĐoạn hai.", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "legacy.txt").write_bytes(" date 2022-01 C\u00f4ng an\n\nTin.".encode("cp1258"))

    result = run_cli("replay", str(tmp_path), env=cli_env)

    assert result.returncode == 1, result.stderr
    assert "files read: 5, articles indexed: 1" in result.stdout
    assert "failed: 4" in result.stdout
    for name, reason in [
        ("empty.txt", "empty file"),
        ("noheader.txt", "first line must be ' date YYYY-MM <title>'"),
        ("binary.txt", "binary file"),
        ("legacy.txt", "not UTF-8 text"),
    ]:
        assert f"{tmp_path / name}: {reason}" in result.stdout
    assert Elasticsearch(es_url).count(index=cli_env["ES_INDEX"])["count"] == 1


def test_replay_of_a_missing_path_says_so(cli_env) -> None:
    result = run_cli("replay", "no/such/folder", env=cli_env)
    assert result.returncode == 1
    assert "no/such/folder: no such file or folder" in result.stdout


def test_replay_with_elasticsearch_down_fails_loudly() -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    result = run_cli("replay", "seeds/", env={**os.environ, "ES_URL": dead})
    assert result.returncode == 2
    assert f"Elasticsearch at {dead} is not usable" in result.stderr
    assert "articles indexed" not in result.stdout


def test_scrapy_crawl_seeds_indexes_and_fails_when_elasticsearch_is_down(cli_env, es_url):
    def crawl(env: dict[str, str]) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "scrapy", "crawl", "seeds", "-a", "path=seeds/"]
        return subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True)

    ok = crawl(cli_env)
    assert ok.returncode == 0, ok.stderr[-2000:]
    assert "'elasticsearch/indexed': 1" in ok.stderr
    assert Elasticsearch(es_url).count(index=cli_env["ES_INDEX"])["count"] == 1

    down = crawl({**cli_env, "ES_URL": f"http://127.0.0.1:{free_port()}"})
    assert down.returncode != 0
    assert "ElasticsearchUnavailable" in down.stderr
    assert "'elasticsearch/indexed'" not in down.stderr


def test_extract_prints_the_article_without_indexing() -> None:
    env = {**os.environ, "ES_URL": f"http://127.0.0.1:{free_port()}"}
    result = run_cli("extract", str(SEED), "--json", "--entities", env=env)
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["authors"] == ["Xuân Thu", "Văn Huỳnh"]
    assert article["published"] == "2022-01-04T00:00:00+07:00"
    assert article["province"] == "Nam Định"
    assert len(article["captions"]) == 5
    assert len(article["content_hash"]) == 64
    persons = [e for e in article["entities"] if e["type"] == "PER"]
    assert "Phạm Gia Túc" in {e["normalized"] for e in persons}


def test_extract_of_a_bad_file_names_it(tmp_path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    result = run_cli("extract", str(bad))
    assert result.returncode == 1
    assert f"{bad}: empty file" in result.stderr


def test_search_before_any_replay_explains_what_to_do(cli_env) -> None:
    result = run_cli("search", "an ninh", env=cli_env)
    assert result.returncode == 2
    assert "run `crawler replay seeds/` first" in result.stderr


def test_search_prints_a_readable_ranking(cli_env) -> None:
    assert run_cli("replay", "seeds/", env=cli_env).returncode == 0
    result = run_cli("search", "an ninh to quoc", env=cli_env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == '1 result(s) for "an ninh to quoc"'
    assert "[an ninh Tổ quốc]" in result.stdout
    assert "2022-01-04 · Nam Định" in result.stdout


def saved_page(tmp_path, name: str = "bai-bao.html"):
    from testkit.sites import markup
    from testkit.sites.catalog import LAICHAU

    page = tmp_path / name
    html = markup.nukeviet_article(LAICHAU[0], "https://congan.laichau.gov.vn")
    page.write_text(html, encoding="utf-8")
    return page, LAICHAU[0]


def test_extract_a_saved_html_page(tmp_path) -> None:
    page, story = saved_page(tmp_path)
    result = run_cli("extract", str(page), "--json")
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["title"] == story.title
    assert article["canonical_url"] == "https://congan.laichau.gov.vn" + story.path
    assert article["published"] == "2024-03-27T08:42:00+07:00"
    assert article["authors"] == ["Minh Hằng"]
    assert article["source"] == "saved"


def test_extract_without_entities_leaves_them_out() -> None:
    result = run_cli("extract", str(SEED))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["entities"] == []


PAGES = PROJECT / "tests" / "data" / "pages"


def test_extract_refuses_a_listing_in_one_line(tmp_path) -> None:
    from testkit.sites import markup

    teasers = [(f"Công an xã ra quân tuần tra bảo đảm an ninh đợt {i}", f"/tin/a-{i}.html")
               for i in range(12)]  # fmt: skip
    page = tmp_path / "chuyen-muc.html"
    page.write_text(markup.nukeviet_listing("An ninh trật tự", teasers, ["/tin/"], 1))
    result = run_cli("extract", str(page))
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # no Scrapy log, no traceback
    assert lines[0].startswith(f"error: {page}: not an article: a listing: 12 article links")


def test_extract_a_saved_page_with_the_address_it_came_from() -> None:
    page = PAGES / "old_thaibinh_javacms.html"
    url = "https://conganthaibinh.gov.vn/tin-tuc/Tin_Hoat_Dong/2841/bai-viet"
    result = run_cli("extract", str(page), "--url", url)
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    # The registry knows the host: the site, its province and today's province.
    assert (article["site"], article["province"], article["province_current"]) == (
        "thaibinh", "Thái Bình", "Hưng Yên")  # fmt: skip
    assert article["images"]
    assert all(i["url"].startswith("https://conganthaibinh.gov.vn/") for i in article["images"])


def test_extract_a_url(tmp_path) -> None:
    from testkit.sites.catalog import CAND, start_sites
    from testkit.sites.server import stop

    sites = start_sites()
    try:
        env = {**os.environ, "CRAWLER_SITES": str(tmp_path / "none.yaml")}
        (tmp_path / "none.yaml").write_text("sites: []\n")
        result = run_cli("extract", sites["cand"].base + CAND[0].path, "--json", env=env)
    finally:
        for site in sites.values():
            stop(site)
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["title"] == CAND[0].title
    assert article["lead"] == CAND[0].lead


def test_replay_takes_saved_pages_beside_seeds(tmp_path, cli_env, es_url) -> None:
    saved_page(tmp_path)
    shutil.copy(SEED, tmp_path / "seed.txt")
    (tmp_path / "menu.html").write_text("<html><body><a href='/'>Trang chủ</a></body></html>")
    result = run_cli("replay", str(tmp_path), env=cli_env)
    assert "files read: 3, articles indexed: 2" in result.stdout
    assert f"{tmp_path / 'menu.html'}: not an article: " in result.stdout
    sources = {
        hit["_source"]["source"]
        for hit in Elasticsearch(es_url).search(index=cli_env["ES_INDEX"])["hits"]["hits"]
    }
    assert sources == {"seed", "saved"}


def test_sites_lists_the_registry() -> None:
    result = run_cli("sites")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("65 sites in ")
    assert "thaibinh" in result.stdout
    assert "Hưng Yên" in result.stdout


def test_sites_names_a_broken_entry(tmp_path) -> None:
    registry = tmp_path / "sites.yaml"
    registry.write_text("sites:\n  - id: x\n    name: X\n", encoding="utf-8")
    result = run_cli("sites", env={**os.environ, "CRAWLER_SITES": str(registry)})
    assert result.returncode == 2
    assert f"{registry}: site 'x': field 'province' is missing or empty" in result.stderr


def test_entities_of_a_plain_text(tmp_path) -> None:
    text = tmp_path / "doan.txt"
    text.write_text("Đại tá Phạm Văn Long, Giám đốc Công an tỉnh dự họp.", encoding="utf-8")
    result = run_cli("entities", str(text), "--json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    person = next(e for e in found["entities"] if e["type"] == "PER")
    assert person == {
        "text": "Phạm Văn Long", "type": "PER", "normalized": "Phạm Văn Long", "paragraph": 0,
        "start": 7, "end": 20, "rank": "Đại tá", "title": "Giám đốc Công an tỉnh",
    }  # fmt: skip
    readable = run_cli("entities", str(text))
    assert "person: Phạm Văn Long (1x): Đại tá, Giám đốc Công an tỉnh" in readable.stdout


def test_entities_nested_and_resolved_with_the_article_province(tmp_path) -> None:
    text = tmp_path / "doan.txt"
    text.write_text("Giám đốc Công an tỉnh Lạng Sơn gặp Công an tỉnh.", encoding="utf-8")
    result = run_cli("entities", str(text), "--json", "--province", "tỉnh nam định")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)["entities"]
    assert [(e["text"], e.get("inside")) for e in found] == [
        ("Giám đốc Công an tỉnh Lạng Sơn", None),
        ("Công an tỉnh Lạng Sơn", 0),
        ("Lạng Sơn", 1),
        ("Công an tỉnh", None),
    ]
    assert (found[3]["resolved"], found[3]["resolved_current"]) == (
        "Công an tỉnh Nam Định",
        "Công an tỉnh Ninh Bình",
    )
    readable = run_cli("entities", str(text), "--province", "Nam Định").stdout
    assert "    Lạng Sơn" in readable
    assert "= Công an tỉnh Nam Định" in readable


@pytest.mark.parametrize(
    ("args", "stdin", "error"),
    [
        (["--province", "Atlantis", "-"], "Công an tỉnh", "--province 'Atlantis': not a province"),
        (["/no/such/file.txt"], "", "/no/such/file.txt: cannot read: No such file"),
    ],
)
def test_entities_refuses_bad_input_with_a_reason(args, stdin, error) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "entities", *args], cwd=PROJECT, input=stdin,
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert error in result.stderr
    assert "Traceback" not in result.stderr


def test_entities_refuses_bytes_that_are_not_utf8() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "entities", "-"], cwd=PROJECT,
        input=b"C\xf4ng an t\xecnh", capture_output=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert b"-: not UTF-8 text" in result.stderr


def test_cli_runs_keep_scrapys_log_quiet(cli_env) -> None:
    # underthesea calls logging.basicConfig on import; imported before Scrapy sets up
    # logging, it would print every log line (and twice).
    result = run_cli("replay", "seeds/", env=cli_env)
    assert result.returncode == 0, result.stderr
    assert "Dumping Scrapy stats" not in result.stderr
    assert "Scrapy 2.19.0 started" not in result.stderr


def test_credentials_in_es_url_never_reach_the_output() -> None:
    port = free_port()
    env = {**os.environ, "ES_URL": f"http://crawler:s3cret-pass@127.0.0.1:{port}"}
    for command in (["replay", "seeds/"], ["search", "an ninh"], ["es", "status"]):
        result = run_cli(*command, env=env)
        assert result.returncode == (1 if command[0] == "es" else 2)
        assert "s3cret-pass" not in result.stdout + result.stderr
        assert f"http://***@127.0.0.1:{port}" in result.stdout + result.stderr


def test_every_command_names_a_stopped_elasticsearch_with_the_hint() -> None:
    env = {**os.environ, "ES_URL": f"http://127.0.0.1:{free_port()}"}
    for command in (["replay", "seeds/"], ["search", "an ninh"], ["crawl"], ["nightly"],
                    ["index", "stats"], ["index", "migrate"], ["spool", "flush"]):  # fmt: skip
        result = run_cli(*command, env=env)
        assert result.returncode == 2, command
        (line,) = result.stderr.splitlines()
        assert line.startswith("error: Elasticsearch at "), command
        assert "crawler es up" in line, command
    status = run_cli("es", "status", env=env)
    assert (status.returncode, status.stderr) == (1, "")
    assert "not running (start it with `crawler es up`)" in status.stdout


def test_bad_environment_is_one_line_naming_the_variable() -> None:
    env = {**os.environ, "ES_TIMEOUT": "abc", "ES_URL": "localhost:9200", "NER_WORKERS": "0",
           "REDIS_OUTAGE_LIMIT": "-5"}  # fmt: skip
    result = run_cli("sites", env=env)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert "ES_TIMEOUT='abc': not a number" in line
    assert "ES_URL='localhost:9200'" in line
    assert "NER_WORKERS='0': must be 1 or more" in line
    assert "REDIS_OUTAGE_LIMIT='-5': must be 0 (no limit)" in line


def test_a_bad_setting_on_the_command_line_is_named_before_anything_runs() -> None:
    """`-s NAME=VALUE` is checked as the variable NAME is, before Elasticsearch (down
    here) or Redis is asked: not 'Engine slot not assigned' from inside the crawl."""
    env = {**os.environ, "ES_URL": f"http://127.0.0.1:{free_port()}"}
    for name in ("REDIS_OUTAGE_LIMIT", "ES_TIMEOUT"):
        result = run_cli("crawl", "-s", f"{name}=abc", env=env)
        assert result.returncode == 2, name
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"error: -s {name}='abc': not a number ("), line


def test_a_closed_pipe_is_no_traceback() -> None:
    """`crawler sites | head -1`: the reader leaves early; the command ends quietly."""
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler", "sites"], cwd=PROJECT, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    process.stdout.close()  # the reader is gone before the first line is written
    stderr = process.stderr.read()
    assert process.wait(timeout=60) == 0
    assert "Traceback" not in stderr, stderr
    assert "BrokenPipe" not in stderr, stderr


def test_version_and_examples_in_help() -> None:
    assert run_cli("--version").stdout.startswith("crawler ")
    for command in ("search", "crawl", "nightly", "replay", "extract", "es"):
        text = run_cli(command, "--help").stdout
        assert "example:\n  crawler " + command in text, command


def test_several_nodes_in_es_url(es_url, cli_env) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    env = {**cli_env, "ES_URL": f"{dead},{es_url}"}
    result = run_cli("replay", "seeds/", env=env)
    assert result.returncode == 0, result.stderr
    assert "articles indexed: 1" in result.stdout


def search_command(*argv: str):
    """`crawler search ARGV` parsed by crawler.commands.search, the module cli.py runs."""
    import argparse

    from crawler.commands import search as command

    parser = argparse.ArgumentParser(prog="crawler search")
    command.add_arguments(parser)
    return command, parser.parse_args(list(argv))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ma túy", "--page", "0"], "--page must be between 1 and 1000, got 0"),
        (["ma túy", "--size", "0"], "--size must be between 1 and 100, got 0"),
        (["ma túy", "--size", "-1"], "--size must be between 1 and 100, got -1"),
        (["ma túy", "--sort", "newest"], "--sort must be one of relevance, date, got 'newest'"),
        (["a" * 5000], "query must be at most 2000 characters, got 5000"),
    ],
)
def test_search_refuses_values_out_of_bounds_in_one_line(argv, message) -> None:
    from crawler.commands.base import CliError

    command, args = search_command(*argv)
    # Refused before Elasticsearch is asked; cli.main prints "error: ..." and exits 2.
    with pytest.raises(CliError) as refused:
        command.run(args)
    assert str(refused.value) == message


def test_search_options_come_from_the_search_request() -> None:
    from crawler.es.search import parameters

    command, args = search_command("ma túy", "--since", "2022-01-04", "--facets")
    request = command.search_request(args)
    assert (request.q, request.since.isoformat(), request.facets) == ("ma túy", "2022-01-04", True)
    assert (request.page, request.size, request.sort) == (1, 10, "relevance")
    assert {p.name for p in parameters()} | {"json"} == set(vars(args))


def test_search_names_a_date_it_cannot_read(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        search_command("ma túy", "--since", "2022-13-01")
    assert exited.value.code == 2
    assert "argument --since: '2022-13-01' is not a date like 2022-01-31" in capsys.readouterr().err


def test_search_numbers_continue_on_page_two(es, es_index, es_url, monkeypatch, capsys) -> None:
    import re

    from elasticsearch.helpers import bulk

    from crawler.commands import base
    from crawler.es.document import article_document
    from crawler.es.index import ensure_index
    from crawler.items import Article
    from pipelines.normalize import normalize_article

    ensure_index(es, es_index)
    docs = [
        article_document(normalize_article(Article(
            id=f"a{day}", url=f"https://congan.sonla.gov.vn/tin/{day}.html", source="site",
            title=f"Triệt phá đường dây ma túy thứ {day}", body=["Công an tỉnh cho biết."],
            published=f"2024-01-{day:02d}T08:00:00+07:00",
        )))
        for day in range(1, 13)
    ]  # fmt: skip
    bulk(es, [{"_index": es_index, "_id": d["id"], "_source": d} for d in docs], refresh=True)
    settings = base.project_settings()
    settings.setdict({"ES_URL": es_url, "ES_INDEX": es_index}, priority="cmdline")
    command, args = search_command("ma túy", "--sort", "date", "--page", "2", "--size", "10")
    monkeypatch.setattr(command, "project_settings", lambda: settings)

    assert command.run(args) == 0
    out = capsys.readouterr().out
    assert out.startswith('12 result(s) for "ma túy"')
    assert re.findall(r"^(\d+)\. ", out, flags=re.MULTILINE) == ["11", "12"]
    assert "2024-01-02 · " in out
    assert "2024-01-01 · " in out
    assert "2024-01-03" not in out


def terminal_controls(text: str) -> list[str]:
    """What a terminal acts on in the text: escape, bell, C1 controls, bidi controls."""
    import re

    controls = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    return re.findall(f"[{controls}]", text)


def test_search_prints_no_control_character_it_did_not_write(
    es, es_index, es_url, monkeypatch, capsys
) -> None:
    """A document indexed before normalization stripped them: its escape sequences, bell
    and bidi overrides never reach the terminal; the command's own bold does."""
    from elasticsearch.helpers import bulk

    from crawler.commands import base
    from crawler.es.document import article_document
    from crawler.es.index import ensure_index
    from crawler.es.search import SearchRequest, search
    from crawler.items import Article

    evil = Article(
        id="evil", url="https://congan.sonla.gov.vn/\x1b]8;;https://x.example\x07tin.html",
        source="site", province="Sơn La\u202e", site="sonla",
        title="\x1b[2J\x1b[H Cảnh báo lừa đảo\x07 \x1b]8;;https://evil.example\x07bấm\x1b]8;;\x07",
        body=["Công an tỉnh \x1b[31m cảnh báo\x1b[0m lừa đảo \u202equa mạng\u202c\x9b2J.\x07"],
        entities=[{"type": "PER", "normalized": "Nguyễn\x1b[8m Văn A", "text": "x",
                   "paragraph": 0, "start": 0, "end": 1}],
        published="2024-01-02T08:00:00+07:00",
    )  # fmt: skip
    ensure_index(es, es_index)
    doc = article_document(evil)  # not normalized: as indexed before the fix
    bulk(es, [{"_index": es_index, "_id": doc["id"], "_source": doc}], refresh=True)
    settings = base.project_settings()
    settings.setdict({"ES_URL": es_url, "ES_INDEX": es_index}, priority="cmdline")

    for argv in (["cảnh báo lừa đảo", "--facets"], ["cảnh báo lừa đảo", "--json"]):
        command, args = search_command(*argv)
        monkeypatch.setattr(command, "project_settings", lambda: settings)
        assert command.run(args) == 0
        out = capsys.readouterr().out
        assert not terminal_controls(out), repr(out)
        assert "1 result(s)" in out or '"total": 1' in out, out
    assert json.loads(out)["hits"][0]["title"] == evil.title  # JSON escapes, keeps the value
    command, _ = search_command("x")
    result = search(es, es_index, SearchRequest(q="cảnh báo lừa đảo"))
    command.print_results("cảnh báo\x07", result, tty=True)
    out = capsys.readouterr().out
    assert "\x1b[1m" in out
    own = out.replace("\x1b[1m", "").replace("\x1b[0m", "")
    assert not terminal_controls(own), repr(out)
    assert "Sơn La" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ma túy", "--size", "100000"], "--size must be between 1 and 100, got 100000"),
        (["ma túy", "--size", "-5"], "--size must be between 1 and 100, got -5"),
        (["x", "--province", "a" * 40000], "--province must be at most 200 characters, got 40000"),
        (["x", "--person", "a" * 201], "--person must be at most 200 characters, got 201"),
        (["x", "--category", "a" * 201], "--category must be at most 200 characters, got 201"),
    ],
)
def test_search_refuses_a_size_or_filter_out_of_bounds_before_elasticsearch(argv, message):
    command, args = search_command(*argv)
    from crawler.commands.base import CliError

    with pytest.raises(CliError) as refused:
        command.run(args)
    assert str(refused.value) == message


def test_a_long_filter_is_one_line_and_exit_2() -> None:
    env = {**os.environ, "ES_URL": f"http://127.0.0.1:{free_port()}"}
    result = run_cli("search", "x", "--entity", "a" * 40000, env=env)
    assert result.returncode == 2
    assert result.stderr == "error: --entity must be at most 200 characters, got 40000\n"


def test_a_missing_api_key_file_is_one_line_naming_it(tmp_path) -> None:
    missing = tmp_path / "es.key"
    env = {**os.environ, "ES_URL": f"http://127.0.0.1:{free_port()}",
           "ES_API_KEY_FILE": str(missing)}  # fmt: skip
    for command in (["search", "an ninh"], ["replay", "seeds/"], ["es", "status"]):
        result = run_cli(*command, env=env)
        assert result.returncode == 2, command
        assert result.stderr == (
            f"error: ES_API_KEY_FILE={str(missing)!r}: cannot read: No such file or directory\n"
        ), command
