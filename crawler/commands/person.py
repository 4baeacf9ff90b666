"""`crawler person`: what the articles say of one person (or, with --organization, one
unit) over time: ranks and titles, articles a month, provinces, who is named with them."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from elastic_transport import TransportError
from elasticsearch import ApiError, NotFoundError

from crawler.commands.base import (
    EXIT_FAILED,
    EXIT_OK,
    CliError,
    no_index,
    project_settings,
    unreachable,
)
from crawler.commands.search import safe_json, shown
from crawler.es.client import client_from_settings
from crawler.es.entity_profile import (
    EntityNotFound,
    organization_profile,
    person_profile,
)
from crawler.es.search import InvalidSearch

HELP = "show a person's (or a unit's) articles over time, ranks, titles, provinces"
EXAMPLE = 'crawler person "Nguyễn Văn Hùng" --province "Sơn La"'
BAR_WIDTH = 40  # characters of the longest bar


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="the name exactly as in the facets (with diacritics)")
    parser.add_argument(
        "--province",
        help="only the person of this province, when namesakes live in several "
        "(as published or as merged in 2025)",
    )
    parser.add_argument(
        "--organization",
        action="store_true",
        help='NAME is an organisation or unit ("Công an tỉnh Sơn La"), not a person',
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    if args.organization and args.province:
        raise CliError("--province is for people; an organisation's name includes its place")
    settings = project_settings()
    client = client_from_settings(settings)
    try:
        if args.organization:
            profile = organization_profile(client, settings["ES_INDEX"], args.name)
        else:
            profile = person_profile(client, settings["ES_INDEX"], args.name, args.province)
    except InvalidSearch as exc:
        raise CliError(f"NAME {exc.why}") from None
    except EntityNotFound as exc:
        print(shown(exc), file=sys.stderr)
        return EXIT_FAILED
    except NotFoundError as exc:
        raise CliError(no_index(settings)) from exc
    except (TransportError, ApiError) as exc:
        raise CliError(unreachable(settings, exc)) from exc
    if args.json:
        print(safe_json(profile))
    else:
        print_profile(profile)
    return EXIT_OK


def print_profile(profile: dict[str, Any]) -> None:
    """The profile as a terminal page: headline, ranks and titles, a bar a month, the
    provinces, who is named with them, the latest articles."""
    where = f" ({shown(profile['province'])})" if profile["province"] else ""
    print(f"{shown(profile['name'])}{where}: {profile['total']} article(s)", end="")
    if profile["first"]:
        print(f", {profile['first']} … {profile['last']}", end="")
    print(f" ({profile['undated']} undated)" if profile["undated"] else "")
    namesakes = profile.get("namesakes") or []
    if len(namesakes) > 1:
        places = ", ".join(f"{shown(n['province'] or 'no province')} {n['count']}"
                           for n in namesakes)  # fmt: skip
        which = (f"showing {shown(profile['province'])}" if profile["province"]
                 else "pick one with --province")  # fmt: skip
        print(f"same name in {len(namesakes)} provinces: {places} ({which})")
    ranks = profile.get("ranks_and_titles")
    if ranks is not None:
        print("\nranks and titles:")
        for entry in ranks["entries"]:
            dates = f"{entry['first'] or '?'} … {entry['last'] or '?'}"
            print(f"  {dates}  {entry['kind']:5}  {shown(entry['value'])} ({entry['count']})")
        if not ranks["entries"]:
            print("  none written")
        if ranks["cut"]:
            print(f"  (from the newest {ranks['read']} of {profile['total']} articles)")
    print("\narticles a month:")
    print_bars(profile["months"])
    print("\nprovinces: " + ", ".join(f"{shown(p['value'])} {p['count']}"
                                      for p in profile["provinces"]))  # fmt: skip
    for label, key in (("people named with", "persons"), ("units named with", "organizations")):
        names = ", ".join(f"{shown(b['value'])} {b['count']}" for b in profile[key])
        print(f"{label}: {names or '-'}")
    print("\nlatest articles:")
    for article in profile["latest"]:
        day = shown((article["published"] or "")[:10]) or "?"
        province = shown(article["province"] or "-")
        print(f"  {day}  {shown(article['title'])}  ({province}, {shown(article['id'])})")


def print_bars(months: list[dict[str, Any]]) -> None:
    """A bar a month, empty months included: counts to scale, the longest BAR_WIDTH."""
    highest = max((m["count"] for m in months), default=0) or 1
    width = len(str(highest))
    for month in months:
        bar = "█" * round(BAR_WIDTH * month["count"] / highest)
        if month["count"] and not bar:
            bar = "▏"  # a month with articles never looks empty
        print(f"  {month['month']}  {month['count']:>{width}}  {bar}".rstrip())
