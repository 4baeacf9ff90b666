"""`crawler watch`: saved searches that send their new articles (webhook, e-mail, feed)."""

from __future__ import annotations

import argparse
import json
import sys

from elastic_transport import TransportError
from elasticsearch import ApiError

from crawler.commands.base import EXIT_FAILED, EXIT_OK, CliError, project_settings, unreachable
from crawler.commands.search import add_search_options, search_request, shown
from crawler.es.client import client_from_settings
from crawler.watches import (
    LEAVE_OUT,
    Watch,
    WatchError,
    add_watch,
    describe,
    failures,
    list_watches,
    remove_watch,
    results_summary,
    run_watches,
    search_values,
)

HELP = "saved searches that send their new articles by webhook, e-mail or feed"
EXAMPLE = ('crawler watch add ma-tuy-son-la "ma túy" --province "Sơn La" '
           "--email ban-thoi-su@example.vn")  # fmt: skip


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="save a search and where its new articles go")
    add.add_argument("name", help="letters, digits, '-' or '_': the feed is /feeds/NAME.atom")
    add_search_options(add, leave_out=LEAVE_OUT, query_optional=True)
    add.add_argument(
        "--webhook", metavar="URL",
        help="POST new articles here as JSON, signed with WATCH_WEBHOOK_SECRET",
    )  # fmt: skip
    add.add_argument(
        "--email", metavar="ADDR", nargs="+", action="extend", default=[],
        help="send an e-mail digest to these addresses (SMTP_* settings)",
    )  # fmt: skip
    listing = actions.add_parser("list", help="the saved searches (no secrets)")
    listing.add_argument("--json", action="store_true", help="print one JSON array")
    remove = actions.add_parser("remove", help="delete a saved search")
    remove.add_argument("name")
    run = actions.add_parser("run", help="send new articles now (the nightly run does too)")
    run.add_argument("name", nargs="?", help="only this watch")
    run.add_argument("--json", action="store_true", help="print one JSON array of results")


def run(args: argparse.Namespace) -> int:
    settings = project_settings()
    client = client_from_settings(settings)
    index = settings["ES_WATCHES_INDEX"]
    try:
        if args.action == "add":
            return _add(args, client, index, settings)
        if args.action == "list":
            return _list(args, client, index)
        if args.action == "remove":
            remove_watch(client, index, args.name)
            print(f"removed watch {args.name}")
            return EXIT_OK
        results = run_watches(client, settings, [args.name] if args.name else None)
    except WatchError as exc:
        raise CliError(str(exc)) from None
    except (TransportError, ApiError) as exc:
        raise CliError(unreachable(settings, exc)) from exc
    if args.json:
        print(json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=2))
    else:
        print(shown_lines(results_summary(results)))
    return EXIT_FAILED if failures(results) else EXIT_OK


def shown_lines(text: str) -> str:
    return "\n".join(shown(line) for line in text.splitlines())


def _add(args: argparse.Namespace, client: object, index: str, settings: object) -> int:
    values = search_values(search_request(args))
    watch = add_watch(client, index,  # type: ignore[arg-type]
                      Watch(args.name, values, args.webhook, list(args.email)))  # fmt: skip
    print(f"saved watch {watch.name}: {shown(describe(values))}")
    print(f"  feed: /feeds/{watch.name}.atom (crawler serve)")
    for channel in watch.channels():
        print(f"  sends to: {channel if channel != 'webhook' else watch.public()['webhook']}")
    if watch.webhook and not settings.get("WATCH_WEBHOOK_SECRET"):  # type: ignore[attr-defined]
        print("warning: WATCH_WEBHOOK_SECRET is not set: webhook deliveries fail until it is",
              file=sys.stderr)  # fmt: skip
    return EXIT_OK


def _list(args: argparse.Namespace, client: object, index: str) -> int:
    watches = [w.public() for w in list_watches(client, index)]  # type: ignore[arg-type]
    if args.json:
        print(json.dumps(watches, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not watches:
        print("no saved search yet: `crawler watch add NAME QUERY ...`")
    for w in watches:
        print(shown(f"{w['name']}: {describe(w['search'])}  (since {w['created'][:10]})"))
        for state in w["channels"]:
            channel = w["webhook"] if state["channel"] == "webhook" else state["channel"]
            status = f"FAILED last run: {state['last_error']}" if state["last_error"] else "ok"
            print(shown(f"  {channel}: {state['sent']} sent, {status}"))
        print(f"  feed: /feeds/{w['name']}.atom")
    return EXIT_OK
