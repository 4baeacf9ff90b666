"""`crawler spool`: the articles waiting for Elasticsearch."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from crawler.commands.base import (
    EXIT_FAILED,
    EXIT_OK,
    CliError,
    project_settings,
    require_elasticsearch,
)
from crawler.es.client import client_from_settings
from crawler.es.index import IndexSetupError
from crawler.es.spool import Spool, SpoolBusy

if TYPE_CHECKING:
    from collections import Counter

HELP = "articles waiting for Elasticsearch: index them (flush) or count them (status)"
EXAMPLE = "crawler spool flush"
EXIT_CODES = """\
flush exit codes:
  0  every waiting article is indexed; nothing was set aside by this flush
  1  articles still wait (Elasticsearch refused them for now: the reasons are listed;
     flush again later), or this flush set something aside in rejected/ (lines that
     hold no article, articles Elasticsearch will never take): look there
  2  it could not run (Elasticsearch unreachable, another flush running)
status always exits 0."""
SHOWN_REASONS = 5  # the most frequent reasons; the rest are counted together


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["flush", "status"])
    parser.epilog = f"{EXIT_CODES}\n\n{parser.epilog or ''}"


def run(args: argparse.Namespace) -> int:
    settings = project_settings()
    spool = Spool(Path(settings["CRAWLER_SPOOL_DIR"]))
    if args.action == "status":
        status = spool.status()
        print(f"{status.waiting} articles waiting in {spool.folder}")
        _print_reasons(status.waiting_reasons)
        if status.unreadable:
            print(f"{status.unreadable} lines hold no article: the next flush sets them aside")
        print(f"set aside: {status.bad_lines} lines in {spool.bad_lines_file}")
        print(f"dead letters: {status.dead_letters} articles in {spool.dead_letters_file}")
        return EXIT_OK
    require_elasticsearch(settings)
    try:
        done = spool.flush(client_from_settings(settings), settings["ES_INDEX"])
    except (SpoolBusy, IndexSetupError) as exc:
        raise CliError(str(exc)) from exc
    print(f"indexed {done.indexed} spooled articles; {done.waiting} still waiting in "
          f"{spool.folder}")  # fmt: skip
    _print_reasons(done.waiting_reasons)
    if done.bad_lines:
        print(f"set aside: {done.bad_lines} lines that hold no article, to "
              f"{spool.bad_lines_file}")  # fmt: skip
        _print_reasons(done.bad_reasons)
    if done.dead_letters:
        print(f"dead letters: {done.dead_letters} articles Elasticsearch will never take, "
              f"to {spool.dead_letters_file}")  # fmt: skip
        _print_reasons(done.dead_reasons)
    return EXIT_FAILED if done.waiting or done.set_aside else EXIT_OK


def _print_reasons(reasons: Counter[str]) -> None:
    """How many for each reason, the most frequent first."""
    common = reasons.most_common()
    for reason, count in common[:SHOWN_REASONS]:
        print(f"  {count:>6}  {reason}")
    if rest := common[SHOWN_REASONS:]:
        print(f"  {sum(c for _, c in rest):>6}  ({len(rest)} other reasons)")
