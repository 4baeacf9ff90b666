"""The ``crawler`` command: thin wrappers over the spiders, pipelines and es modules."""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")

from elastic_transport import TransportError  # noqa: E402
from elasticsearch import ApiError, NotFoundError  # noqa: E402
from itemadapter import ItemAdapter  # noqa: E402
from scrapy import signals  # noqa: E402
from scrapy.settings import Settings  # noqa: E402
from scrapy.utils.conf import closest_scrapy_cfg  # noqa: E402
from scrapy.utils.project import get_project_settings  # noqa: E402

from crawler.es.client import (  # noqa: E402
    ElasticsearchUnavailable,
    check_available,
    client_from_settings,
    redact,
)  # noqa: E402
from crawler.es.search import SearchRequest, search  # noqa: E402
from crawler.es.server import MAVEN_REPO, LocalNode, ServerError, default_base  # noqa: E402
from crawler.signals import article_failed  # noqa: E402
from crawler.sites import RegistryError, load_sites  # noqa: E402

EXIT_FAILED = 1
EXIT_ERROR = 2


class CliError(Exception):
    """An error shown to the user as one line, with exit code 2."""


class RunCollector:
    """What a crawl lost, for the run summary, and what it produced when the command
    prints it (`extract`): a replay or crawl of thousands must not hold them all."""

    def __init__(self, keep_items: bool = False) -> None:
        self.keep_items = keep_items
        self.items: list[Any] = []
        self.failures: list[str] = []

    def item_scraped(self, item: Any) -> None:
        if self.keep_items:
            self.items.append(item)

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        self.failures.append(f"dropped: {exception}")

    def spider_error(self, failure: Any, response: Any) -> None:
        self.failures.append(f"{response.url}: {failure.getErrorMessage()}")

    def article_failed(self, item: Any, reason: str) -> None:
        self.failures.append(reason)


def project_dir() -> Path:
    cfg = closest_scrapy_cfg()
    return Path(cfg).parent if cfg else Path.cwd()


def run_spider(
    name: str, overrides: dict[str, Any], keep_items: bool = False, **spider_args: Any
) -> tuple[RunCollector, Any]:
    """Run one spider to completion; what it collected and the crawler (for stats)."""
    from scrapy.crawler import AsyncCrawlerProcess

    settings = get_project_settings()
    settings.setdict(overrides, priority="cmdline")
    process = AsyncCrawlerProcess(settings)
    crawler = process.create_crawler(name)
    collector = RunCollector(keep_items)
    for signal_name in ("item_scraped", "item_dropped", "spider_error"):
        crawler.signals.connect(getattr(collector, signal_name), getattr(signals, signal_name))
    crawler.signals.connect(collector.article_failed, article_failed)
    task = process.crawl(crawler, **spider_args)
    process.start()
    if task.done() and not task.cancelled() and task.exception():
        raise CliError(str(task.exception()))
    return collector, crawler


def _log_overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {"LOG_LEVEL": "INFO" if args.verbose else "ERROR"}


def require_elasticsearch() -> None:
    """Fail before a run starts, with what to do, when Elasticsearch is not there."""
    settings = get_project_settings()
    try:
        check_available(client_from_settings(settings), settings["ES_URL"])
    except ElasticsearchUnavailable as exc:
        raise CliError(str(exc)) from exc


def cmd_replay(args: argparse.Namespace) -> int:
    require_elasticsearch()
    collector, crawler = run_spider("seeds", _log_overrides(args), path=os.pathsep.join(args.paths))
    stats = crawler.stats
    read = stats.get_value("seeds/files_read", 0)
    indexed = stats.get_value("elasticsearch/indexed", 0)
    settings = crawler.settings
    breakdown = ", ".join(
        f"{kind} {stats.get_value(f'elasticsearch/{kind}', 0)}"
        for kind in ("new", "updated", "unchanged")
    )
    print(
        f"files read: {read}, articles indexed: {indexed} ({breakdown}; "
        f"index {settings['ES_INDEX']} at {redact(settings['ES_URL'])}), "
        f"failed: {len(collector.failures)}"
    )
    for reason in collector.failures:
        print(f"  failed: {reason}")
    return EXIT_FAILED if collector.failures else 0


def cmd_extract(args: argparse.Namespace) -> int:
    settings = get_project_settings()
    pipelines = {
        name: order for name, order in settings.getdict("ITEM_PIPELINES").items()
        if "elasticsearch" not in name.lower() and (args.entities or "entities" not in name)
    }  # fmt: skip
    # One page: entities in this process, no worker pool to start and stop; what went
    # wrong is printed below, once, so the log stays quiet unless -v.
    overrides = {"LOG_LEVEL": "INFO" if args.verbose else "CRITICAL",
                 "ITEM_PIPELINES": pipelines, "NER_WORKERS": 1}  # fmt: skip
    if urlsplit(args.source).scheme in ("http", "https"):
        overrides |= {"INCREMENTAL_ENABLED": False, "CLOSESPIDER_PAGECOUNT": 0}
        collector, _ = run_spider("police", overrides, keep_items=True, url=args.source)
    else:
        collector, _ = run_spider(
            "seeds", overrides, keep_items=True, path=args.source, url=args.url or ""
        )
    for reason in collector.failures:
        print(f"error: {reason}", file=sys.stderr)
    for item in collector.items:
        print(json.dumps(ItemAdapter(item).asdict(), ensure_ascii=False, indent=2))
    if not collector.items and not collector.failures:
        print(f"error: {args.source}: not an article page", file=sys.stderr)
    return 0 if collector.items and not collector.failures else EXIT_FAILED


def cmd_sites(args: argparse.Namespace) -> int:
    path = Path(get_project_settings()["SITES_REGISTRY"])
    try:
        sites = load_sites(path)
    except RegistryError as exc:
        raise CliError(str(exc)) from exc
    print(f"{len(sites)} sites in {path}")
    print(f"{'id':<14} {'profile':<13} {'province':<18} {'merged into':<14} hosts")
    for site in sites:
        flags = ("" if site.verified else " (unverified)") + ("" if site.enabled else " (off)")
        print(
            f"{site.id:<14} {site.profile:<13} {site.province:<18} "
            f"{site.merged_into or '-':<14} {', '.join(site.hosts)}{flags}"
        )
    return 0


def crawl_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Settings for one `crawler crawl` run, from its options."""
    overrides: dict[str, Any] = _log_overrides(args)
    for pair in args.set or []:
        key, sep, value = pair.partition("=")
        if not sep:
            raise CliError(f"--set {pair!r}: expected KEY=VALUE")
        overrides[key] = value
    if args.max_pages is not None:
        overrides["CLOSESPIDER_PAGECOUNT"] = args.max_pages
    if getattr(args, "redis", None):
        overrides |= {
            "REDIS_URL": args.redis,
            "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_PERSIST": True,
        }
    cache_dir = args.record or args.replay
    if args.refresh or cache_dir:
        overrides["CRAWL_REFRESH"] = True
    if cache_dir:
        overrides |= {"HTTPCACHE_ENABLED": True, "HTTPCACHE_DIR": str(Path(cache_dir).resolve())}
    if args.replay:
        if not Path(args.replay).is_dir():
            raise CliError(f"--replay {args.replay}: no such folder (record one with --record)")
        overrides |= {"HTTPCACHE_IGNORE_MISSING": True, "AUTOTHROTTLE_ENABLED": False}
        overrides["DOWNLOAD_DELAY"] = 0
    return overrides


def cmd_crawl(args: argparse.Namespace) -> int:
    require_elasticsearch()
    started = time.monotonic()
    collector, crawler = run_spider("police", crawl_overrides(args), site=",".join(args.site or []))
    elapsed = max(time.monotonic() - started, 1e-9)
    print_crawl_summary(crawler.stats, collector.failures, elapsed)
    return EXIT_FAILED if collector.failures else 0


def print_crawl_summary(stats: Any, failures: list[str], elapsed: float) -> None:
    values = stats.get_stats()
    sites = sorted({k.split("/")[1] for k in values if k.startswith("police/")})
    print(f"{'site':<14} {'pages':>6} {'articles':>9} {'not article':>12} {'failed':>7}")
    for site in sites:
        counts = [values.get(f"police/{site}/{name}", 0) for name in
                  ("pages", "articles", "not_article", "failed")]  # fmt: skip
        print(f"{site:<14} {counts[0]:>6} {counts[1]:>9} {counts[2]:>12} {counts[3]:>7}")
    pages = values.get("response_received_count", 0)
    articles = values.get("item_scraped_count", 0)
    print(
        f"indexed: {values.get('elasticsearch/indexed', 0)} "
        f"(new {values.get('elasticsearch/new', 0)}, updated "
        f"{values.get('elasticsearch/updated', 0)}, unchanged "
        f"{values.get('elasticsearch/unchanged', 0)}); skipped as already indexed: "
        f"{values.get('incremental/skipped', 0)}; not modified: "
        f"{values.get('incremental/not_modified', 0)}; robots.txt refusals: "
        f"{values.get('robotstxt/forbidden', 0)}"
    )
    print(
        f"{pages} pages, {articles} articles in {elapsed:.1f} s: "
        f"{pages / elapsed:.1f} pages/s, {articles / elapsed:.1f} articles/s"
    )
    print(f"failed: {len(failures)}")
    for reason in failures:
        print(f"  failed: {reason}")


ENTITY_BATCH = 256  # paragraphs through the models at once


def _province_option(name: str | None) -> tuple[str | None, str | None]:
    """--province as the gazetteer writes it ("nam định", "tỉnh Nam Định" -> "Nam Định")
    and the province it is part of today; a clear error for a name that is none."""
    if not name:
        return None, None
    from crawler.nlp.entities import normalized_place
    from crawler.nlp.gazetteer import current_province, places

    wanted = normalized_place(name).casefold()
    provinces = {p.name.casefold(): p.name for p in places().values() if p.kind == "province"}
    if wanted not in provinces:
        raise CliError(f"--province {name!r}: not a province of Vietnam, before or after 2025")
    return provinces[wanted], current_province(provinces[wanted])


def cmd_entities(args: argparse.Namespace) -> int:
    from crawler.nlp.entities import add_mentions, extract_many, police_news
    from crawler.nlp.people import people
    from crawler.nlp.resolution import resolve_entities
    from crawler.text import normalize_text, split_paragraphs

    province, today = _province_option(args.province)
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        raise CliError(f"{args.file}: cannot read: {exc.strerror or exc}") from exc
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CliError(f"{args.file}: not UTF-8 text (byte {exc.start}: {exc.reason})") from exc
    paragraphs = [normalize_text(p) for p in split_paragraphs(raw)]
    police = police_news(paragraphs)  # the input is one article
    mentions: list[dict[str, Any]] = []
    for first in range(0, len(paragraphs), ENTITY_BATCH):  # models' memory stays bounded
        batch = paragraphs[first : first + ENTITY_BATCH]
        for index, found in enumerate(extract_many(batch, [police] * len(batch)), first):
            add_mentions(mentions, found, paragraph=index)
    mentions = resolve_entities(mentions, province, today)
    if args.json:
        result = {"paragraphs": paragraphs, "entities": mentions, "people": people(mentions)}
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    for mention in mentions:
        links = "".join(f"  {k}: {mention[k]}" for k in ("rank", "title") if k in mention)
        resolved = f"  = {mention['resolved']}" if "resolved" in mention else ""
        depth, holder = 0, mention.get("inside")
        while holder is not None:
            depth, holder = depth + 1, mentions[holder].get("inside")
        where = f"{mention['paragraph']}:{mention['start']}-{mention['end']}"
        print(f"{mention['type']:<6} {where:<12} {'  ' * depth}{mention['text']}{resolved}{links}")
    for person in people(mentions):
        roles = ", ".join(filter(None, [person["rank"], *person["titles"]]))
        print(f"person: {person['name']} ({person['mentions']}x){': ' + roles if roles else ''}")
    return 0


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2022-01-31") from None


def _terminal(fragment: str, tty: bool) -> str:
    on, off = ("\033[1m", "\033[0m") if tty else ("[", "]")
    fragment = fragment.replace("</em> <em>", " ")
    return html.unescape(re.sub(r"<em>(.*?)</em>", rf"{on}\1{off}", fragment))


def print_results(query: str, result: dict[str, Any], tty: bool) -> None:
    print(f'{result["total"]} result(s) for "{query}"')
    for rank, hit in enumerate(result["hits"], 1):
        title = hit["highlight"].get("title", [html.escape(hit["title"] or "")])[0]
        print(f"\n{rank}. {_terminal(title, tty)}  (score {hit['score']:.2f})")
        published = (hit["published"] or "")[:10]
        print(f"   {published} · {hit['province'] or '-'} · {hit['url']}")
        for name in ("body", "captions"):
            for fragment in hit["highlight"].get(name, [])[:2]:
                print(f"   … {_terminal(fragment, tty)} …")
        people = ", ".join(hit["entities"]["persons"][:5])
        if people:
            print(f"   people: {people}")
        if hit["also_published"]:
            sites = ", ".join(h["site"] or h["url"] for h in hit["also_published"])
            print(f"   also published by: {sites}")


def search_request(args: argparse.Namespace) -> SearchRequest:
    return SearchRequest(
        q=args.query, province=args.province, site=args.site, since=args.since,
        until=args.until, entity=args.entity, person=args.person,
        organization=args.organization, place=args.place, category=args.category,
        sort=args.sort, page=args.page, size=args.size, facets=args.facets,
    )  # fmt: skip


def print_facets(facets: dict[str, Any]) -> None:
    for name, buckets in facets.items():
        if not buckets:
            continue
        if name == "dates":
            values = ", ".join(f"{b['month']} {b['count']}" for b in buckets)
        elif name == "provinces":
            values = ", ".join(
                f"{b['value']} {b['count']}"
                + (f" ({', '.join(m['value'] for m in b['merged'])})" if b["merged"] else "")
                for b in buckets
            )
        else:
            values = ", ".join(f"{b['value']} {b['count']}" for b in buckets)
        print(f"  {name}: {values}")


def cmd_search(args: argparse.Namespace) -> int:
    settings = get_project_settings()
    client = client_from_settings(settings)
    try:
        result = search(client, settings["ES_INDEX"], search_request(args))
    except NotFoundError as exc:
        raise CliError(
            f"no index '{settings['ES_INDEX']}' at {redact(settings['ES_URL'])} yet: "
            "run `crawler replay seeds/` first"
        ) from exc
    except (TransportError, ApiError) as exc:
        raise CliError(_unreachable(settings, exc)) from exc
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print_results(args.query, result, sys.stdout.isatty())
    if args.facets:
        print("\nfacets:")
        print_facets(result["facets"])
    return 0


def _unreachable(settings: Settings, exc: Exception) -> str:
    return (
        f"Elasticsearch at {redact(settings['ES_URL'])} is not usable ({type(exc).__name__}: {exc})"
    )


def local_node(settings: Settings) -> LocalNode:
    """The node `crawler es` manages: the port of ES_URL, which must be on this machine."""
    url = urlsplit(settings["ES_URL"])
    if url.hostname not in ("127.0.0.1", "localhost"):
        raise CliError(
            f"ES_URL {redact(settings['ES_URL'])} is not on this machine; `crawler es` manages "
            "only a local node (use http://127.0.0.1:PORT)"
        )
    return LocalNode(
        base=default_base(project_dir()),
        port=url.port or 9200,
        heap=os.environ.get("ES_HEAP", "512m"),
        repo=os.environ.get("ES_MAVEN_REPO", MAVEN_REPO),
    )


def cmd_index(args: argparse.Namespace) -> int:
    from crawler.es.document import article_document
    from crawler.es.index import IndexSetupError, migrate

    settings = get_project_settings()
    client = client_from_settings(settings)
    alias = settings["ES_INDEX"]
    try:
        if args.action == "migrate":
            print(migrate(client, alias, article_document))
            return 0
        return print_index_stats(client, alias)
    except NotFoundError as exc:
        raise CliError(f"no index '{alias}' at {redact(settings['ES_URL'])} yet") from exc
    except IndexSetupError as exc:
        raise CliError(str(exc)) from exc
    except (TransportError, ApiError) as exc:
        raise CliError(_unreachable(settings, exc)) from exc


def print_index_stats(client: Any, alias: str) -> int:
    aggs = {
        "sites": {"terms": {"field": "site", "size": 200, "missing": "-"}},
        "provinces": {
            "terms": {"field": "province_current", "size": 100, "missing": "-"},
            "aggs": {"published": {"terms": {"field": "province", "size": 30}}},
        },
        "sources": {"terms": {"field": "source"}},
    }
    # Entities nested in others count too (the place in "Công an tỉnh X"); relative
    # organisations under their resolved names ("Công an tỉnh Nam Định").
    top = {"persons": "people", "organizations": "organisations", "locations": "places"}
    aggs |= {field: {"terms": {"field": field, "size": 10}} for field in top}
    result = client.search(index=alias, size=0, aggs=aggs, track_total_hits=True)
    index = next(iter(client.indices.get_alias(name=alias)))
    print(f"{alias} -> {index}: {result['hits']['total']['value']} articles")
    buckets = result["aggregations"]
    print(
        "by source: "
        + ", ".join(f"{b['key']} {b['doc_count']}" for b in buckets["sources"]["buckets"])
    )
    print("by site:")
    for bucket in buckets["sites"]["buckets"]:
        print(f"  {bucket['key']:<24} {bucket['doc_count']:>7}")
    print("by province (today's, with the provinces merged into it):")
    for bucket in buckets["provinces"]["buckets"]:
        parts = [f"{b['key']} {b['doc_count']}" for b in bucket["published"]["buckets"]
                 if b["key"] != bucket["key"]]  # fmt: skip
        merged = f"  ({', '.join(parts)})" if parts else ""
        print(f"  {bucket['key']:<24} {bucket['doc_count']:>7}{merged}")
    for field, label in top.items():
        named = buckets[field]["buckets"]
        if named:
            print(f"most named {label} (articles):")
            for bucket in named:
                print(f"  {bucket['key']:<40} {bucket['doc_count']:>7}")
    return 0


def cmd_spool(args: argparse.Namespace) -> int:
    from crawler.es.spool import Spool

    settings = get_project_settings()
    spool = Spool(Path(settings["SPOOL_DIR"]))
    if args.action == "status":
        print(f"{spool.pending()} articles waiting in {spool.folder}")
        return 0
    require_elasticsearch()
    client = client_from_settings(settings)
    indexed, waiting = spool.flush(client, settings["ES_INDEX"])
    print(f"indexed {indexed} spooled articles; {waiting} still waiting in {spool.folder}")
    return EXIT_FAILED if waiting else 0


def cmd_nightly(args: argparse.Namespace) -> int:
    from datetime import datetime

    from crawler.dates import VIETNAM_TZ
    from crawler.es.spool import Spool
    from crawler.nightly import alarms, build_report, previous_reports, summary

    settings = get_project_settings()
    require_elasticsearch()
    client = client_from_settings(settings)
    spool = Spool(Path(settings["SPOOL_DIR"]))
    if spool.pending():
        indexed, waiting = spool.flush(client, settings["ES_INDEX"])
        print(f"spool: indexed {indexed} articles left by an earlier run, {waiting} waiting")
    started = datetime.now(VIETNAM_TZ)
    overrides = {**crawl_overrides(args), "PROGRESS_ENABLED": True}
    collector, crawler = run_spider("police", overrides, site=",".join(args.site or []))
    report = build_report(
        crawler.stats.get_stats(), collector.failures, started, datetime.now(VIETNAM_TZ),
        spool.pending(),
    )  # fmt: skip
    runs = Path(settings["RUNS_DIR"])
    earlier = previous_reports(runs, settings.getint("NIGHTLY_EMPTY_NIGHTS"))
    problems = alarms(report, earlier, settings.getfloat("NIGHTLY_MAX_FAILED_RATIO"),
                      settings.getint("NIGHTLY_EMPTY_NIGHTS"))  # fmt: skip
    report["alarms"] = problems
    runs.mkdir(parents=True, exist_ok=True)
    path = runs / f"run-{started.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    stored = {**report, "sites": [{"site": k, **v} for k, v in report["sites"].items()]}
    try:
        client.index(index=settings["ES_RUNS_INDEX"], document=stored)
    except (TransportError, ApiError) as exc:
        print(f"warning: run report not stored in Elasticsearch: {exc}", file=sys.stderr)
    print(summary(report, problems))
    print(f"report: {path}")
    return EXIT_FAILED if problems else 0


def cmd_schedule(args: argparse.Namespace) -> int:
    from crawler.schedule import ScheduleError, nightly_command, serve

    settings = get_project_settings()
    require_elasticsearch()
    try:
        serve(args.cron or settings["NIGHTLY_CRON"], Path(settings["RUNS_DIR"]), nightly_command())
    except ScheduleError as exc:
        raise CliError(str(exc)) from exc
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from crawler.web.app import create_app

    settings = get_project_settings()
    app = create_app(client_from_settings(settings), settings["ES_INDEX"])
    print(f"Search page at http://{args.host}:{args.port}/ (API: /api/search, /openapi.json)")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def cmd_es(args: argparse.Namespace) -> int:
    settings = get_project_settings()
    if args.action == "status":
        return es_status(settings)
    node = local_node(settings)
    try:
        print(node.up() if args.action == "up" else node.down())
    except ServerError as exc:
        raise CliError(str(exc)) from exc
    return 0


def es_status(settings: Settings) -> int:
    client = client_from_settings(settings)
    try:
        health = client.cluster.health()
        nodes = client.nodes.info(node_id="_local", filter_path="nodes.*.version")
        indices = client.cat.indices(format="json", h="index,docs.count,health")
        aliases = client.cat.aliases(format="json", h="alias,index")
    except (TransportError, ApiError) as exc:
        raise CliError(_unreachable(settings, exc)) from exc
    version = next(iter(nodes["nodes"].values()))["version"]
    print(f"Elasticsearch {version} at {redact(settings['ES_URL'])}: {health['status']}")
    alias_of = {}
    for row in aliases:
        alias_of.setdefault(row["index"], []).append(row["alias"])
    visible = [row for row in indices if not row["index"].startswith(".")]
    if not visible:
        print("  no indices yet")
    for row in sorted(visible, key=lambda r: r["index"]):
        names = ", ".join(alias_of.get(row["index"], []))
        suffix = f" (alias {names})" if names else ""
        print(f"  {row['index']}{suffix}: {row['docs.count']} documents, {row['health']}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crawler", description="Vietnamese provincial police news: crawl, index, search."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show the Scrapy log")
    commands = parser.add_subparsers(dest="command", required=True)

    es = commands.add_parser("es", help="manage a local Elasticsearch node")
    es.add_argument("action", choices=["up", "down", "status"])
    es.set_defaults(func=cmd_es)

    nightly = commands.add_parser(
        "nightly", help="one incremental crawl of every enabled site, with a run report"
    )
    nightly.add_argument("--site", action="append", metavar="ID", help="only this site")
    nightly.add_argument("-s", "--set", action="append", metavar="KEY=VALUE",
                         help="override a Scrapy setting (repeat)")  # fmt: skip
    nightly.set_defaults(func=cmd_nightly, max_pages=None, refresh=False, record=None,
                         replay=None, redis=None)  # fmt: skip

    schedule = commands.add_parser("schedule", help="run `crawler nightly` on a cron schedule")
    schedule.add_argument("--cron", help="cron expression (default NIGHTLY_CRON: 0 2 * * *)")
    schedule.set_defaults(func=cmd_schedule)

    spool = commands.add_parser("spool", help="articles waiting for Elasticsearch")
    spool.add_argument("action", choices=["flush", "status"])
    spool.set_defaults(func=cmd_spool)

    serve = commands.add_parser("serve", help="the search page and JSON API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.set_defaults(func=cmd_serve)

    index = commands.add_parser("index", help="the articles index: migrate its mapping, stats")
    index.add_argument("action", choices=["migrate", "stats"])
    index.set_defaults(func=cmd_index)

    replay = commands.add_parser(
        "replay", help="replay seed files (.txt) and saved pages (.html) into the index"
    )
    replay.add_argument("paths", nargs="+", metavar="PATH")
    replay.set_defaults(func=cmd_replay)

    extract = commands.add_parser(
        "extract", help="print the article made of a seed, a saved page or a URL"
    )
    extract.add_argument("source", metavar="URL-or-FILE")
    extract.add_argument("--json", action="store_true", help="JSON output (the default)")
    extract.add_argument(
        "--url", help="the address a saved page was served at (for its links and site)"
    )
    extract.add_argument(
        "--entities", action="store_true",
        help="add the named entities (the entity step takes about 3 s to load)",
    )  # fmt: skip
    extract.set_defaults(func=cmd_extract)

    entities = commands.add_parser(
        "entities", help="print the entities of a plain text (people with rank and title)"
    )
    entities.add_argument("file", nargs="?", default="-", metavar="FILE", help="or - for stdin")
    entities.add_argument("--json", action="store_true", help="print one JSON object")
    entities.add_argument(
        "--province", metavar="NAME",
        help="the article's province: relative names (\"Công an tỉnh\") are resolved with it",
    )  # fmt: skip
    entities.set_defaults(func=cmd_entities)

    sites = commands.add_parser("sites", help="list the sites of the registry")
    sites.set_defaults(func=cmd_sites)

    crawl = commands.add_parser("crawl", help="crawl the registry's sites into the index")
    crawl.add_argument("--site", action="append", metavar="ID", help="only this site (repeat)")
    crawl.add_argument("--max-pages", type=int, help="stop the run after this many pages")
    crawl.add_argument("--refresh", action="store_true", help="fetch known articles again")
    keep = crawl.add_mutually_exclusive_group()
    keep.add_argument("--record", metavar="DIR", help="keep every response in DIR")
    keep.add_argument("--replay", metavar="DIR", help="repeat a recorded crawl offline")
    crawl.add_argument("--redis", metavar="URL",
                       help="share the frontier and duplicate filter with other crawler "
                       "processes through this Redis (scale-out)")  # fmt: skip
    crawl.add_argument("-s", "--set", action="append", metavar="KEY=VALUE",
                       help="override a Scrapy setting (repeat)")  # fmt: skip
    crawl.set_defaults(func=cmd_crawl)

    find = commands.add_parser("search", help="search indexed articles")
    find.add_argument("query")
    find.add_argument("--province", help="province, as published or as merged in 2025")
    find.add_argument("--since", type=_date, help="published on or after YYYY-MM-DD")
    find.add_argument("--until", type=_date, help="published on or before YYYY-MM-DD")
    find.add_argument("--entity", help="a person, organisation or place named in the article")
    find.add_argument("--person", help="a person, exactly as in the facets")
    find.add_argument("--organization", help="an organisation, exactly as in the facets")
    find.add_argument("--place", help="a place, exactly as in the facets")
    find.add_argument("--site", help="a site id of the registry")
    find.add_argument("--category", help="a category as the site names it")
    find.add_argument("--sort", choices=["relevance", "date"], default="relevance")
    find.add_argument("--page", type=int, default=1, help="page of results (default 1)")
    find.add_argument("--size", type=int, default=10, help="results per page (default 10)")
    find.add_argument("--facets", action="store_true", help="also count results per filter value")
    find.add_argument("--json", action="store_true", help="print one JSON object")
    find.set_defaults(func=cmd_search)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
