"""`crawler entities`: the named entities of a plain text, people with rank and title."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from crawler.commands.base import EXIT_OK, CliError

HELP = "print the entities of a plain text (people with rank and title)"
EXAMPLE = 'crawler entities bai-viet.txt --province "Lai Châu"'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", default="-", metavar="FILE", help="or - for stdin")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--province", metavar="NAME",
        help="the article's province: relative names (\"Công an tỉnh\") are resolved with it",
    )  # fmt: skip


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


def run(args: argparse.Namespace) -> int:
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
        return EXIT_OK
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
    return EXIT_OK
