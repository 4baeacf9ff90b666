"""`crawler export`: every article a search matches, to a CSV, JSONL or XLSX file."""

from __future__ import annotations

import argparse
import os
import stat
import sys
import uuid
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from elastic_transport import TransportError
from elasticsearch import ApiError, NotFoundError

from crawler.commands.base import (
    EXIT_OK,
    CliError,
    ProgressLine,
    no_index,
    project_settings,
    unreachable,
)
from crawler.commands.search import add_search_options, search_request
from crawler.es.client import client_from_settings
from crawler.export import (
    FORMATS,
    TRUNCATED,
    XLSX_CELL_LIMIT,
    Counts,
    IncompleteExport,
    export,
)

HELP = "export every article a search matches as CSV, JSONL or XLSX"
EXAMPLE = 'crawler export "ma túy" --province "Sơn La" --since 2024-01-01 -o ma-tuy.xlsx'
STDOUT = "-"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_search_options(parser, leave_out=("page", "size", "facets", "sort"), query_optional=True)
    parser.add_argument(
        "-o", "--output", required=True, metavar="FILE",
        help="the file to write; - for standard output (csv and jsonl)",
    )  # fmt: skip
    parser.add_argument(
        "--format", choices=FORMATS,
        help="csv (UTF-8 with a BOM, for Excel), jsonl (one JSON object a line) or xlsx; "
        "by default the output file's suffix",
    )  # fmt: skip


def output_format(output: str, given: str | None) -> str:
    """The format asked, else the one the file's suffix names."""
    if given:
        fmt = given
    elif output == STDOUT:
        raise CliError("-o - needs --format csv or --format jsonl")
    else:
        fmt = Path(output).suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CliError(
                f"{output}: cannot tell the format from the suffix: give --format "
                f"{'|'.join(FORMATS)} or name the file .csv, .jsonl or .xlsx"
            )
    if fmt == "xlsx" and output == STDOUT:
        raise CliError("xlsx cannot go to standard output: give -o FILE.xlsx")
    return fmt


def run(args: argparse.Namespace) -> int:
    request = search_request(args)
    fmt = output_format(args.output, args.format)
    settings = project_settings()
    client = client_from_settings(settings)
    index = settings["ES_INDEX"]
    progress = ProgressLine("exported")
    try:
        if args.output == STDOUT:
            counts = export(client, index, request, fmt, sys.stdout.buffer, progress)
        else:
            counts = _to_file(
                Path(args.output),
                fmt,
                lambda out: export(client, index, request, fmt, out, progress),
            )
    except NotFoundError as exc:
        raise CliError(no_index(settings) + _nothing_written(args.output)) from exc
    except (TransportError, ApiError) as exc:
        raise CliError(unreachable(settings, exc) + _nothing_written(args.output)) from exc
    except IncompleteExport as exc:
        raise CliError(f"{exc}{_nothing_written(args.output)}") from exc
    if counts.truncated:
        print(
            f"note: {counts.truncated} cell(s) longer than Excel's {XLSX_CELL_LIMIT} "
            f"characters were cut, ending in {TRUNCATED!r}; csv and jsonl keep them whole",
            file=sys.stderr,
        )
    where = "standard output" if args.output == STDOUT else args.output
    print(f"exported {counts.articles} articles to {where}", file=sys.stderr)
    return EXIT_OK


def _nothing_written(output: str) -> str:
    return "" if output == STDOUT else f"; {output} not written"


def _to_file(target: Path, fmt: str, write: Callable[[Any], Counts]) -> Counts:
    """Write through a temporary file beside the target, renamed over it only once the
    export is whole: an export that fails or is interrupted leaves no half file. A
    symlink is followed (its target is replaced, the link stays); a file replaced keeps
    its permission bits; a device, pipe or folder is refused, never renamed over."""
    shown = target
    target, mode = _regular_target(target)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        # Made with the mode any new file gets (the umask's), not a private temp file's.
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as exc:
        raise CliError(f"{shown}: cannot write there: {exc.strerror}") from None
    try:
        if fmt == "xlsx":
            counts = write(temporary)  # xlsxwriter writes the file itself
        else:
            with temporary.open("wb") as out:
                counts = write(out)
        if mode is not None:
            os.chmod(temporary, mode)  # a private (600) file stays private
        temporary.replace(target)
    except BaseException as exc:
        with suppress(OSError):
            temporary.unlink()
        if isinstance(exc, KeyboardInterrupt):
            print(f"export interrupted: {shown} not written", file=sys.stderr)
        elif isinstance(exc, OSError):
            raise CliError(f"{shown}: cannot write: {exc.strerror or exc}") from None
        raise
    return counts


def _regular_target(given: Path) -> tuple[Path, int | None]:
    """The file to replace (a symlink's target) and its permission bits (None when it does
    not exist yet); anything but a regular file is a CliError naming ``given``."""
    target = Path(os.path.realpath(given)) if given.is_symlink() else given
    try:
        found = target.stat()
    except FileNotFoundError:
        return target, None
    except OSError as exc:
        raise CliError(f"{given}: cannot write there: {exc.strerror}") from None
    if stat.S_ISDIR(found.st_mode):
        what = "a folder"
    elif not stat.S_ISREG(found.st_mode):
        what = "not a regular file (a device or a pipe)"
    else:
        return target, stat.S_IMODE(found.st_mode)
    raise CliError(f"{given}: is {what}: give a file name, or -o - for standard output")
