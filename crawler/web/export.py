"""/api/export: the current search, every matching article, as a file to download."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any, BinaryIO, Literal

import anyio
from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from crawler.export import Counts, stream, write_xlsx
from crawler.web.backend import Backend, Es
from crawler.web.params import Params

router = APIRouter()

VIETNAM = timezone(timedelta(hours=7))
CHUNK = 1 << 16  # bytes of an XLSX file sent at a time
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
Format = Annotated[
    Literal["csv", "jsonl", "xlsx"],
    Query(description="csv (UTF-8 with a BOM, for Excel), jsonl or xlsx"),
]


def filename(fmt: str) -> str:
    """tin-cong-an-<today in Vietnam>.<format>"""
    return f"tin-cong-an-{datetime.now(VIETNAM).date().isoformat()}.{fmt}"


@router.get("/api/export", summary="Every article of the search as CSV, JSONL or XLSX")
async def api_export(params: Params, es: Es, format: Format = "csv") -> Any:
    """Every article the search matches, newest first, republications included; page,
    size, sort and facets are not used."""
    headers = {"Content-Disposition": f'attachment; filename="{filename(format)}"'}
    if format == "xlsx":
        return await _xlsx(params, es, headers)
    chunks = stream(es.client, es.index, params, format, Counts())
    # The first chunk is read before answering: an unusable Elasticsearch or a missing
    # index is a 503 or a 404, not a 200 with a cut file.
    [first] = await es.run((_next, chunks))
    return StreamingResponse(
        _rest(es, first, chunks), media_type=MEDIA_TYPES[format], headers=headers
    )


def _next(client: Any, index: str, chunks: Iterator[bytes]) -> bytes | None:
    return next(chunks, None)


async def _rest(es: Backend, first: bytes | None, chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """The chunks, each read in a worker thread within the client's connections; the
    point in time closed however the download ends (a client that goes away included)."""
    try:
        chunk = first
        while chunk is not None:
            yield chunk
            [chunk] = await es.run((_next, chunks))
    finally:
        with anyio.CancelScope(shield=True):  # also when the download was cancelled
            await es.run((_close, chunks))


def _close(client: Any, index: str, chunks: Iterator[bytes]) -> None:
    chunks.close()  # type: ignore[attr-defined]


async def _xlsx(params: Params, es: Es, headers: dict[str, str]) -> StreamingResponse:
    """XLSX is a zip written whole at the end: built in a temporary file, then sent from
    it with its name already gone, so that no download, finished or not, leaves it behind."""
    handle, path = tempfile.mkstemp(prefix="export-", suffix=".xlsx")
    os.close(handle)
    try:
        await es.run((write_xlsx, params, path))
        file = open(path, "rb")  # noqa: SIM115 (_send closes it once sent)
    finally:
        os.unlink(path)
    size = os.fstat(file.fileno()).st_size
    return StreamingResponse(
        _send(file),
        media_type=MEDIA_TYPES["xlsx"],
        headers={**headers, "Content-Length": str(size)},
    )


async def _send(file: BinaryIO) -> AsyncIterator[bytes]:
    try:
        while chunk := await anyio.to_thread.run_sync(file.read, CHUNK):
            yield chunk
    finally:
        file.close()
