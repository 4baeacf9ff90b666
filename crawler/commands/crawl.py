"""`crawler crawl`: crawl the registry's sites into the index."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.commands.base import (
    EXIT_FAILED,
    EXIT_OK,
    CliError,
    log_overrides,
    project_settings,
    require_elasticsearch,
    start_spider,
)
from crawler.config import ConfigError, checked
from crawler.dates import VIETNAM_TZ
from crawler.es.client import redact
from crawler.es.spool import Spool
from crawler.report import complete, run_report, summary
from crawler.runner import stopped_early
from crawler.sites import RegistryError

if TYPE_CHECKING:
    from scrapy.settings import Settings

HELP = "crawl the registry's sites into the index"
EXAMPLE = "crawler crawl --site laichau --page-limit 200"


def add_crawl_arguments(parser: argparse.ArgumentParser) -> None:
    """The options `crawl` and `nightly` share."""
    parser.add_argument("--site", action="append", metavar="ID",
                        help="only this registry entry (repeat; see `crawler sites`)")  # fmt: skip
    parser.add_argument("-s", "--set", action="append", metavar="KEY=VALUE",
                        help="override a Scrapy setting (repeat)")  # fmt: skip
    parser.add_argument("--json", action="store_true",
                        help="print the run's report as one JSON object")  # fmt: skip


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_crawl_arguments(parser)
    parser.add_argument(
        "--page-limit", type=int, metavar="N",
        help="stop the whole run after N pages (default: CLOSESPIDER_PAGECOUNT, 5000; "
        "a site's max_pages in the registry is how deep its listings are followed)",
    )  # fmt: skip
    parser.add_argument("--refresh", action="store_true",
                        help="fetch articles the index already has again")  # fmt: skip
    keep = parser.add_mutually_exclusive_group()
    keep.add_argument("--record", metavar="DIR", help="keep every response in DIR")
    keep.add_argument("--replay", metavar="DIR", help="repeat a crawl recorded in DIR, offline")
    parser.add_argument("--redis", metavar="URL",
                        help="share the frontier and duplicate filter with other crawler "
                        "processes through this Redis (scale-out)")  # fmt: skip
    shared = parser.add_mutually_exclusive_group()
    shared.add_argument("--keep-alive", action="store_true",
                        help="with --redis: a worker that waits for requests in the "
                        "shared queue until stopped (SIGTERM, Ctrl-C); it queues no start "
                        "point")  # fmt: skip
    shared.add_argument("--seed-only", action="store_true",
                        help="with --redis: put the sites' start points into the shared "
                        "queue for the workers, fetch nothing, exit")  # fmt: skip


def crawl_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Settings for one crawl, from its options."""
    overrides: dict[str, Any] = {**log_overrides(args), "PROGRESS_ENABLED": not args.json}
    for pair in args.set or []:
        key, sep, value = pair.partition("=")
        if not sep:
            raise CliError(f"--set {pair!r}: expected KEY=VALUE")
        try:
            overrides[key] = checked(key, value)
        except ConfigError as exc:
            raise CliError(f"-s {exc}") from exc
    if getattr(args, "page_limit", None) is not None:
        if args.page_limit < 1:
            raise CliError(f"--page-limit {args.page_limit}: must be 1 or more")
        overrides["CLOSESPIDER_PAGECOUNT"] = args.page_limit
    if getattr(args, "redis", None):
        overrides |= {
            "REDIS_URL": args.redis,
            "SCHEDULER": "crawler.scheduler.SharedScheduler",
            "DUPEFILTER_CLASS": "crawler.dupefilter.ExpiringDupeFilter",
            # A sorted set, not scrapy-redis's plain set under "<spider>:dupefilter".
            "SCHEDULER_DUPEFILTER_KEY": "%(spider)s:seen",
            "SCHEDULER_PERSIST": True,
        }
    if getattr(args, "keep_alive", False):
        # A worker ends when it is told to, not after a number of pages.
        overrides |= {"CRAWL_KEEP_ALIVE": True, "CLOSESPIDER_PAGECOUNT": args.page_limit or 0}
        overrides.setdefault("REDIS_OUTAGE_LIMIT", 0)  # waits for Redis as for requests
    record, replay = getattr(args, "record", None), getattr(args, "replay", None)
    if getattr(args, "refresh", False) or record or replay:
        overrides["CRAWL_REFRESH"] = True
    if record or replay:
        overrides |= {
            "HTTPCACHE_ENABLED": True,
            "HTTPCACHE_DIR": str(Path(record or replay).resolve()),
        }
    if replay:
        if not Path(replay).is_dir():
            raise CliError(f"--replay {replay}: no such folder (record one with --record)")
        overrides |= {"HTTPCACHE_IGNORE_MISSING": True, "AUTOTHROTTLE_ENABLED": False}
        overrides["DOWNLOAD_DELAY"] = 0
    return overrides


def print_report(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(summary(report))


def run(args: argparse.Namespace) -> int:
    settings = project_settings()
    source = "--redis" if args.redis else "REDIS_URL"
    args.redis = args.redis or settings["REDIS_URL"]
    if (args.keep_alive or args.seed_only) and not args.redis:
        option = "--keep-alive" if args.keep_alive else "--seed-only"
        raise CliError(f"{option} needs a shared queue: give --redis URL (or set REDIS_URL)")
    sites = ",".join(args.site or [])
    overrides = crawl_overrides(args)  # a bad -s value is named before anything else
    if args.redis:
        require_redis(args.redis, source)
    if args.seed_only:
        return seed(settings, overrides, args, sites)
    require_elasticsearch(settings)
    started = datetime.now(VIETNAM_TZ)
    result, crawler = start_spider("police", overrides, site=sites)
    waiting = Spool(Path(settings["CRAWLER_SPOOL_DIR"])).pending()
    finished = datetime.now(VIETNAM_TZ)
    early = stopped_early(crawler, until_stopped=args.keep_alive)
    report = run_report(result, crawler, started, finished, waiting, early, args.keep_alive)
    print_report(report, args.json)
    return EXIT_OK if complete(report) else EXIT_FAILED


def require_redis(url: str, source: str = "--redis") -> None:
    """Fail before a shared crawl starts, naming the URL and where it was given (the
    option or REDIS_URL), when Redis does not answer."""
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        with Redis.from_url(url, socket_connect_timeout=10, socket_timeout=10) as redis:
            redis.ping()
    except ValueError as exc:  # not a redis://, rediss:// or unix:// URL
        raise CliError(f"{source} {redact(url)}: {exc}") from exc
    except RedisError as exc:
        raise redis_unusable(url, exc) from exc


def redis_unusable(url: str, exc: Exception) -> CliError:
    return CliError(f"Redis at {redact(url)} is not usable: {exc}")


def seed(settings: Settings, overrides: dict[str, Any], args: argparse.Namespace,
         sites: str) -> int:  # fmt: skip
    """`--seed-only`: the start points into the shared queue, for the waiting workers."""
    from redis.exceptions import RedisError

    from crawler.scale_out import seed_start_points

    settings.setdict(overrides, priority="cmdline")
    try:
        queued = seed_start_points(settings, sites)
    except RegistryError as exc:
        raise CliError(str(exc)) from exc
    except RedisError as exc:
        raise redis_unusable(args.redis, exc) from exc
    if args.json:
        print(json.dumps({"queued": queued, "redis": redact(args.redis)}))
    else:
        print(f"queued {queued} start point(s) in {redact(args.redis)} for the workers")
    return EXIT_OK
