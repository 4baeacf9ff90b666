"""`crawler search`: its options are made from SearchRequest, the definition the API shares."""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from datetime import date
from typing import Any

from elastic_transport import TransportError
from elasticsearch import ApiError, NotFoundError

from crawler.commands.base import EXIT_OK, CliError, no_index, project_settings, unreachable
from crawler.es.client import client_from_settings
from crawler.es.search import EXCLUDE, InvalidSearch, Parameter, SearchRequest, parameters, search
from crawler.text import strip_controls

HELP = "search indexed articles"
EXAMPLE = (
    'crawler search "ma túy" --province "Sơn La" --province "Điện Biên" --not-site cand '
    "--since 2024-01-01 --page 2"
)
QUERY = "q"  # the parameter given as the positional argument, `crawler search WORDS`


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2022-01-31") from None


PARSERS = {date: _date, int: int, str: str}
METAVARS = {date: "YYYY-MM-DD", int: "N"}


def option(name: str) -> str:
    """How the command line spells a parameter: `query` or `--name`."""
    return "query" if name == QUERY else "--" + name.replace("_", "-")


def _help(param: Parameter) -> str:
    words = [param.help.replace("%", "%%")]
    if param.minimum is not None or param.maximum is not None:
        words.append(param.range())
    if param.max_length is not None:
        words.append(f"at most {param.max_length} characters")
    text = ", ".join(words)
    if param.default not in (None, "", False, ()):
        text += " (default: %(default)s)"
    return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_search_options(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def add_search_options(
    parser: argparse.ArgumentParser, leave_out: tuple[str, ...] = (), query_optional: bool = False
) -> None:
    """The query and the filters as options, one per SearchRequest parameter except
    ``leave_out`` (`watch add` and `export` have no pages): one definition for every
    command that searches. ``query_optional``: without words, every article the filters
    keep (an export, a watch of filters only)."""
    for param in parameters():
        if param.name in leave_out:
            continue
        if param.name == QUERY:
            optional = {"nargs": "?", "default": ""} if query_optional else {}
            parser.add_argument(QUERY, metavar="query", help=_help(param), **optional)
        elif param.type is bool:
            action = argparse.BooleanOptionalAction if param.default else "store_true"
            parser.add_argument(
                option(param.name), action=action, default=param.default, help=_help(param)
            )
        elif param.multiple:
            # --province A --province B: any of them; SearchRequest takes None as none.
            parser.add_argument(
                option(param.name),
                dest=param.name,
                action="append",
                type=PARSERS[param.type],
                default=None,
                metavar=param.name.removeprefix(EXCLUDE).upper(),
                help=_help(param),
            )
        else:
            metavar = "{" + ",".join(param.choices) + "}" if param.choices else None
            parser.add_argument(
                option(param.name),
                dest=param.name,
                type=PARSERS[param.type],
                default=param.default,
                metavar=metavar or METAVARS.get(param.type),
                help=_help(param),
            )


def search_request(args: argparse.Namespace) -> SearchRequest:
    """The request the options ask for, checked once, by SearchRequest itself (parameters
    the command has no option for keep their defaults)."""
    given = {p.name: getattr(args, p.name) for p in parameters() if hasattr(args, p.name)}
    try:
        return SearchRequest(**given)
    except InvalidSearch as exc:
        raise CliError(f"{option(exc.field)} {exc.why}") from None


def run(args: argparse.Namespace) -> int:
    request = search_request(args)
    settings = project_settings()
    client = client_from_settings(settings)
    try:
        result = search(client, settings["ES_INDEX"], request)
    except NotFoundError as exc:
        raise CliError(no_index(settings)) from exc
    except (TransportError, ApiError) as exc:
        raise CliError(unreachable(settings, exc)) from exc
    if args.json:
        print(safe_json(result))
        return EXIT_OK
    print_results(request.q, result, sys.stdout.isatty())
    for name, reason in result["unavailable"].items():
        print(f"{name.replace('_', ' ')} unavailable: Elasticsearch answered {reason}",
              file=sys.stderr)  # fmt: skip
    if request.facets:
        sample = " (estimated from a random sample of the results)" if result["estimated"] else ""
        print(f"\nfacets{sample}:")
        print_facets(result["facets"])
    return EXIT_OK


# What json.dumps(ensure_ascii=False) leaves raw and a terminal may act on: C1 controls,
# bidi controls, line and paragraph separators (C0 ones it escapes itself).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def safe_json(result: dict[str, Any]) -> str:
    """The result as JSON with every character a terminal could act on escaped: the
    values stay exactly as indexed for whatever reads them."""
    text = json.dumps(result, ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def shown(value: Any) -> str:
    """A value from the index as one line of the terminal: no escape sequence, control
    character or bidi control (documents indexed before normalization stripped them)."""
    return strip_controls(str(value)).replace("\n", " ").replace("\t", " ")


def _terminal(fragment: str, tty: bool) -> str:
    """A highlight with its matches in bold (brackets when not a terminal): the only
    escape sequences printed are the command's own."""
    on, off = ("\033[1m", "\033[0m") if tty else ("[", "]")
    parts = re.split(r"<em>(.*?)</em>", fragment.replace("</em> <em>", " "), flags=re.DOTALL)
    # Even parts are around the matches, odd parts the matches.
    text = [shown(html.unescape(part)) for part in parts]
    return "".join(f"{on}{t}{off}" if i % 2 else t for i, t in enumerate(text))


def print_results(query: str, result: dict[str, Any], tty: bool) -> None:
    """The ranking, numbered across pages: page 2 of 10 a page starts at 11."""
    print(f'{result["total"]} result(s) for "{shown(query)}"')
    first = (result["page"] - 1) * result["size"] + 1
    for rank, hit in enumerate(result["hits"], first):
        title = hit["highlight"].get("title", [html.escape(hit["title"] or "")])[0]
        print(f"\n{rank}. {_terminal(title, tty).strip()}  (score {hit['score']:.2f})")
        published = shown((hit["published"] or "")[:10])
        print(f"   {published} · {shown(hit['province'] or '-')} · {shown(hit['url'])}")
        for name in ("body", "captions"):
            for fragment in hit["highlight"].get(name, [])[:2]:
                print(f"   … {_terminal(fragment, tty)} …")
        people = ", ".join(shown(name) for name in hit["entities"]["persons"][:5])
        if people:
            print(f"   people: {people}")
        if hit["also_published"]:
            sites = ", ".join(shown(h["site"] or h["url"]) for h in hit["also_published"])
            print(f"   also published by: {sites}")


def print_facets(facets: dict[str, Any]) -> None:
    for name, buckets in facets.items():
        if not buckets:
            continue
        if name == "provinces":
            merged = [", ".join(shown(m["value"]) for m in b["merged"]) for b in buckets]
            values = ", ".join(
                f"{shown(b['value'])} {b['count']}" + (f" ({also})" if also else "")
                for b, also in zip(buckets, merged, strict=True)
            )
        elif name == "dates":
            values = ", ".join(f"{shown(b['month'])} {b['count']}" for b in buckets)
        else:
            values = ", ".join(f"{shown(b['value'])} {b['count']}" for b in buckets)
        print(f"  {name}: {values}")
