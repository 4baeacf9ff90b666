"""Export every article a search matches as CSV, JSONL or XLSX: read page by page from a
point in time (one consistent snapshot, any number of articles), written as read, so
memory stays the same at a hundred or a hundred thousand articles."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from elastic_transport import TransportError
from elasticsearch import ApiError

from crawler.es.local_paths import without_local_paths
from crawler.es.search import build_query

if TYPE_CHECKING:
    from pathlib import Path

    from elasticsearch import Elasticsearch

    from crawler.es.search import SearchRequest

logger = logging.getLogger(__name__)

FORMATS = ("csv", "jsonl", "xlsx")
PAGE_SIZE = 500  # articles per request: a few MB of text
KEEP_ALIVE = "2m"  # the point in time lives this long after each page
# Newest first; _shard_doc, the cheapest tiebreaker of a point in time, makes the order
# total, so that search_after neither skips nor repeats an article.
SORT = [{"published": {"order": "desc", "missing": "_last"}}, {"_shard_doc": "asc"}]
BOM = "\ufeff"  # Excel reads a CSV file as UTF-8 only when it starts with one
XLSX_CELL_LIMIT = 32_767  # Excel's most characters in a cell
XLSX_MAX_ROWS = 1_048_576  # Excel's most rows in a sheet, the header's included
TRUNCATED = "…[cắt bớt]"  # ends a cell cut at XLSX_CELL_LIMIT
PARAGRAPHS = "\n\n"  # between the body's paragraphs in CSV and XLSX
LIST_SEPARATOR = "; "  # between the values of a list in CSV and XLSX
XLSX_SHEET = "Bài viết"
# What makes Excel read a CSV cell as a formula ("-" too, unless a space follows: a list item).
FORMULA_STARTS = ("=", "+", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column of every export: its header (the key in JSONL), the indexed field it is
    read from, and whether it holds a list."""

    name: str
    field: str
    is_list: bool = False


# The columns, in order. Their names are a contract: scripts read them; add new columns
# at the end, never rename one.
COLUMNS = (
    Column("id", "id"),
    Column("url", "url"),
    Column("title", "title"),
    Column("published", "published"),
    Column("province", "province"),  # as published
    Column("province_current", "province_current"),  # the province of today (2025 merger)
    Column("site", "site"),
    Column("category", "category", is_list=True),
    Column("authors", "authors", is_list=True),
    Column("lead", "lead"),
    Column("body", "body", is_list=True),  # paragraphs
    Column("people", "persons", is_list=True),
    Column("organizations", "organizations", is_list=True),
    Column("places", "locations", is_list=True),
)
HEADER = [column.name for column in COLUMNS]
SOURCE_FIELDS = [column.field for column in COLUMNS]

Progress = Callable[[int, int], None]  # (articles done, articles in all)


class IncompleteExport(RuntimeError):
    """Elasticsearch answered a page with articles missing (a shard failed)."""


@dataclass
class Counts:
    """What an export wrote: ``total`` matched when it started, ``articles`` written
    (the same once it finished), ``truncated`` XLSX cells cut at Excel's limit."""

    articles: int = 0
    total: int = 0
    truncated: int = 0


def row(hit: dict[str, Any]) -> dict[str, Any]:
    """One article as the export has it: a value per column, lists as lists, the file:
    addresses of replayed files left out as on the web."""
    source = without_local_paths(hit["_source"])
    values: dict[str, Any] = {}
    for column in COLUMNS:
        value = hit["_id"] if column.name == "id" else source.get(column.field)
        if column.is_list:
            value = [value] if isinstance(value, str) else list(value or [])
        values[column.name] = value
    return values


def pages(
    client: Elasticsearch, index: str, request: SearchRequest, page_size: int = PAGE_SIZE
) -> Iterator[tuple[list[dict[str, Any]], int]]:
    """The rows of every article the request matches, a page at a time, with how many
    match in all; the first page is given even when empty. Every article, republished
    stories included: an export does not group."""
    query = build_query(request)
    pit = client.open_point_in_time(index=index, keep_alive=KEEP_ALIVE)["id"]
    try:
        after: list[Any] | None = None
        total: int | None = None
        while True:
            response = client.search(
                pit={"id": pit, "keep_alive": KEEP_ALIVE},
                query=query,
                sort=SORT,
                size=page_size,
                search_after=after,
                source=SOURCE_FIELDS,
                track_total_hits=total is None,  # counted once, on the first page
            )
            pit = response.get("pit_id", pit)
            if response["_shards"].get("failed"):  # a page short of articles: never silently
                raise IncompleteExport(f"{index}: a shard failed: {response['_shards']}")
            hits = response["hits"]["hits"]
            if total is None:
                total = response["hits"]["total"]["value"]
            elif not hits:
                return
            yield [row(hit) for hit in hits], total
            if len(hits) < page_size:
                return
            after = hits[-1]["sort"]
    finally:
        try:
            client.close_point_in_time(id=pit)
        except (TransportError, ApiError) as exc:  # it expires by itself after KEEP_ALIVE
            logger.warning("could not close the point in time: %s", exc)


def flat(row: dict[str, Any]) -> list[str]:
    """A row's cells as text for CSV and XLSX: lists joined, nothing as empty."""
    cells = []
    for column in COLUMNS:
        value = row[column.name]
        if column.is_list:
            value = (PARAGRAPHS if column.name == "body" else LIST_SEPARATOR).join(value)
        cells.append("" if value is None else str(value))
    return cells


def as_text(cell: str) -> str:
    """A CSV cell Excel shows as text, never runs as a formula (crawled titles are written
    by others): one that starts like a formula gets a leading apostrophe, as OWASP advises.
    A list item "- Ngày 12/3" (a dash and a space) is left as written."""
    if cell.startswith(FORMULA_STARTS) or (cell[:1] == "-" and cell[1:2] not in ("", " ")):
        return "'" + cell
    return cell


def csv_text(rows: list[dict[str, Any]], header: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out)  # quotes a cell only when it must; lines end in \r\n, as Excel's
    if header:
        writer.writerow(HEADER)
    writer.writerows([as_text(cell) for cell in flat(r)] for r in rows)
    return out.getvalue()


def jsonl_text(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def stream(
    client: Elasticsearch,
    index: str,
    request: SearchRequest,
    fmt: str,
    counts: Counts | None = None,
    progress: Progress | None = None,
    page_size: int = PAGE_SIZE,
) -> Iterator[bytes]:
    """A CSV or JSONL export as chunks of UTF-8, one per page: the first (BOM and header
    with it) only once the first page is read, so that an unusable Elasticsearch fails
    before anything is written."""
    counts = counts if counts is not None else Counts()
    first = True
    for rows, total in pages(client, index, request, page_size):
        if fmt == "csv":
            text = (BOM if first else "") + csv_text(rows, header=first)
        else:
            text = jsonl_text(rows)
        first = False
        counts.total = total
        counts.articles += len(rows)
        yield text.encode("utf-8")
        if progress:
            progress(counts.articles, total)


def write_xlsx(
    client: Elasticsearch,
    index: str,
    request: SearchRequest,
    path: str | Path,
    progress: Progress | None = None,
    page_size: int = PAGE_SIZE,
    rows_per_sheet: int = XLSX_MAX_ROWS - 1,
) -> Counts:
    """An XLSX workbook of the export at ``path``, each row written out as it comes
    (xlsxwriter's constant_memory); past Excel's row limit the rows go on in a new sheet."""
    import xlsxwriter  # only an XLSX export pays for its import

    counts = Counts()
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    bold = workbook.add_format({"bold": True})
    try:
        sheet, line = _new_sheet(workbook, bold), 1
        for rows, total in pages(client, index, request, page_size):
            counts.total = total
            for values in rows:
                if line > rows_per_sheet:
                    sheet, line = _new_sheet(workbook, bold), 1
                for col, cell in enumerate(flat(values)):
                    if len(cell) > XLSX_CELL_LIMIT:
                        cell = cell[: XLSX_CELL_LIMIT - len(TRUNCATED)] + TRUNCATED
                        counts.truncated += 1
                    if cell:
                        # write_string: a title starting with "=" stays text, not a formula.
                        sheet.write_string(line, col, cell)
                line += 1
                counts.articles += 1
            if progress:
                progress(counts.articles, total)
    finally:
        workbook.close()
    return counts


def _new_sheet(workbook: Any, bold: Any) -> Any:
    number = len(workbook.worksheets()) + 1
    sheet = workbook.add_worksheet(XLSX_SHEET if number == 1 else f"{XLSX_SHEET} {number}")
    widths = {"id": 18, "url": 40, "title": 60, "published": 25, "lead": 60, "body": 80}
    for col, name in enumerate(HEADER):
        sheet.set_column(col, col, widths.get(name, 20))
    sheet.freeze_panes(1, 0)
    for col, name in enumerate(HEADER):
        sheet.write_string(0, col, name, bold)
    return sheet


def export(
    client: Elasticsearch,
    index: str,
    request: SearchRequest,
    fmt: str,
    out: BinaryIO | str | Path,
    progress: Progress | None = None,
    page_size: int = PAGE_SIZE,
) -> Counts:
    """Write every article the request matches: CSV or JSONL to ``out``, a binary
    stream; XLSX to ``out``, a path. Returns what was written."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "xlsx":
        return write_xlsx(client, index, request, out, progress, page_size)  # type: ignore[arg-type]
    counts = Counts()
    for chunk in stream(client, index, request, fmt, counts, progress, page_size):
        out.write(chunk)  # type: ignore[union-attr]
    return counts
