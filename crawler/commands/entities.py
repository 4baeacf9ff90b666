"""`crawler entities`: the named entities of a plain text, people with rank and title."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from crawler.commands.base import EXIT_OK, CliError, project_settings
from crawler.pages.seed import size_refusal

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


def _read_text(name: str) -> str:
    """The text of a file or of stdin ("-"), refused past MAX_PAGE_BYTES (a file before
    it is read, stdin after one byte more) or MAX_ARTICLE_CHARS: what the models see, and
    so the time and memory they take, stays bounded."""
    settings = project_settings()
    max_bytes, max_chars = settings.getint("MAX_PAGE_BYTES"), settings.getint("MAX_ARTICLE_CHARS")
    try:
        if name == "-":
            data = sys.stdin.buffer.read(max_bytes + 1 if max_bytes else -1)
        elif max_bytes and (size := Path(name).stat().st_size) > max_bytes:
            raise CliError(f"{name}: {size_refusal(size, max_bytes, 'MAX_PAGE_BYTES', 'text')}")
        else:
            data = Path(name).read_bytes()
    except OSError as exc:
        raise CliError(f"{name}: cannot read: {exc.strerror or exc}") from exc
    if max_bytes and len(data) > max_bytes:  # stdin, or a file that grew
        size = None if name == "-" else len(data)
        raise CliError(f"{name}: {size_refusal(size, max_bytes, 'MAX_PAGE_BYTES', 'text')}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CliError(f"{name}: not UTF-8 text (byte {exc.start}: {exc.reason})") from exc
    if max_chars and len(text) > max_chars:
        raise CliError(
            f"{name}: text of {len(text):,} characters is over MAX_ARTICLE_CHARS "
            f"({max_chars:,}): give one article at a time"
        )
    return text


def run(args: argparse.Namespace) -> int:
    from crawler.nlp.entities import add_mentions, extract_many, police_news
    from crawler.nlp.people import people
    from crawler.nlp.resolution import resolve_entities
    from crawler.text import normalize_text, split_paragraphs

    province, today = _province_option(args.province)
    paragraphs = [normalize_text(p) for p in split_paragraphs(_read_text(args.file))]
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
