"""A durable local spool for documents Elasticsearch could not take: append-only JSON
lines, fsynced, indexed later by `crawler spool flush` (and at the start of a nightly run).

A spooled line is the document itself, with why it waits under ``_spool`` (taken off
before indexing). A line that holds no document (cut short by a killed writer, garbage)
and a document Elasticsearch will never take are moved aside to ``rejected/`` with their
reasons: one bad line never blocks the rest, and nothing is thrown away unread."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import logging
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from elastic_transport import TransportError
from elasticsearch import ApiError

from crawler.dates import VIETNAM_TZ
from crawler.es.bulk import bulk_index, is_transient
from crawler.es.index import ensure_index

if TYPE_CHECKING:
    from collections.abc import Iterator

    from elasticsearch import Elasticsearch

logger = logging.getLogger(__name__)

BATCH_DOCS = 200  # documents per bulk request of a flush
BATCH_BYTES = 8 << 20  # and at most this much JSON: a flush holds one batch at a time
CLAIMED = ".flushing"  # a spool file a flush has taken over (and a killed flush left)
REJECTED = "rejected"  # under the spool folder
BAD_LINES = "bad-lines.jsonl"  # lines that hold no document: raw text, reason, origin
DEAD_LETTERS = "dead-letters.jsonl"  # documents Elasticsearch will never take, and why
REASON_KEY = "_spool"  # in a spooled line: why the document waits, and since when


class SpoolBusy(RuntimeError):
    """Another process is flushing the same spool."""


@dataclass
class FlushResult:
    """What one flush did: indexed, still waiting (and why), set aside (and where)."""

    indexed: int = 0
    waiting: int = 0  # documents this flush left in the spool
    waiting_reasons: Counter[str] = field(default_factory=Counter)
    bad_lines: int = 0  # lines moved to rejected/bad-lines.jsonl by this flush
    bad_reasons: Counter[str] = field(default_factory=Counter)
    dead_letters: int = 0  # documents moved to rejected/dead-letters.jsonl by this flush
    dead_reasons: Counter[str] = field(default_factory=Counter)
    superseded: int = 0  # older versions of re-spooled articles: only the last is sent

    @property
    def set_aside(self) -> int:
        return self.bad_lines + self.dead_letters

    def to_dict(self) -> dict[str, Any]:
        return {k: dict(v) if isinstance(v, Counter) else v for k, v in vars(self).items()}


@dataclass
class SpoolStatus:
    """What is in a spool, read without Elasticsearch."""

    waiting: int  # documents waiting (a re-spooled article once)
    waiting_reasons: Counter[str]
    unreadable: int  # lines of waiting files that hold no document: the next flush moves them
    bad_lines: int  # lines already set aside in rejected/bad-lines.jsonl
    dead_letters: int  # documents in rejected/dead-letters.jsonl


class Spool:
    """One spool folder; each writer appends to a file of its own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.rejected = folder / REJECTED
        self.bad_lines_file = self.rejected / BAD_LINES
        self.dead_letters_file = self.rejected / DEAD_LETTERS
        self._file: Path | None = None

    def append(self, docs: list[dict[str, Any]], reasons: list[str] | None = None) -> None:
        """Write documents durably, each with why it waits: on disk when this returns."""
        if not docs:
            return
        at = _now()
        lines = [
            {**doc, REASON_KEY: {"reason": reason, "at": at}} if reason else doc
            for doc, reason in zip(docs, reasons or [None] * len(docs), strict=True)
        ]
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._file is None:
            stamp = datetime.now(VIETNAM_TZ).strftime("%Y%m%dT%H%M%S")
            self._file = self.folder / f"{stamp}-{os.getpid()}.jsonl"
        _append_lines(self._file, lines)

    def files(self) -> list[Path]:
        """The files of documents waiting, oldest first (the order they are indexed in)."""
        if not self.folder.is_dir():
            return []
        found = [*self.folder.glob("*.jsonl"), *self.folder.glob(f"*.jsonl{CLAIMED}")]
        # A file taken over by a killed flush comes before a new one of the same name.
        return sorted(found, key=lambda p: (p.name.removesuffix(CLAIMED), p.suffix != CLAIMED))

    def pending(self) -> int:
        """Documents waiting in the spool."""
        return self.status().waiting

    def status(self) -> SpoolStatus:
        """Documents waiting and why, lines the next flush will set aside, what is aside."""
        why: dict[str, str] = {}  # id -> why its last version waits
        texts: dict[str, str] = {}  # one copy of each reason
        unreadable = 0
        for path in self.files():
            for _, _, _, doc, problem in _read(path):
                if problem:
                    unreadable += 1
                    continue
                reason = (doc.get(REASON_KEY) or {}).get("reason") or "reason not recorded"
                why[doc["id"]] = texts.setdefault(reason, reason)
        return SpoolStatus(len(why), Counter(why.values()), unreadable,
                           _count_lines(self.bad_lines_file),
                           _count_lines(self.dead_letters_file))  # fmt: skip

    def flush(self, client: Elasticsearch, alias: str) -> FlushResult:
        """Index what waits, in batches, the last version of each article only. What
        Elasticsearch refuses for now stays, with its reason; a line that holds no
        document and a document it will never take go to rejected/ with theirs."""
        result = FlushResult()
        with self._flush_lock():
            claimed = self._claim()
            if not claimed:
                return result
            gone = _unusable(client, alias)
            latest = self._latest(claimed, result)
            left_over = self._left_over_file(claimed)
            part = left_over.with_name(left_over.name + ".part")
            with _Writer(part) as left, _Writer(self.dead_letters_file) as dead:
                batch: list[tuple[dict[str, Any], str]] = []
                size = 0
                for doc, origin, length in _documents(claimed, latest):
                    batch.append((doc, origin))
                    size += length
                    if len(batch) >= BATCH_DOCS or size >= BATCH_BYTES:
                        gone = _send(client, alias, batch, gone, result, left, dead)
                        batch, size = [], 0
                _send(client, alias, batch, gone, result, left, dead)
            if part.exists():
                part.rename(left_over)
            for path in claimed:
                path.unlink()
        if result.indexed:
            with contextlib.suppress(TransportError, ApiError):
                client.indices.refresh(index=alias)
        return result

    @contextlib.contextmanager
    def _flush_lock(self) -> Iterator[None]:
        """One flush at a time per spool (an flock, released by the kernel on a crash)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / ".flush.lock").open("a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SpoolBusy(f"another process is flushing {self.folder}") from None
            for stale in self.folder.glob("*.part"):  # a killed flush's unfinished copy
                stale.unlink()  # (what it held is still in the files it was copying)
            yield

    def _claim(self) -> list[Path]:
        """Take the waiting files over: renamed, so that writers start new ones, then
        locked once, so that a writer in the middle of an append finishes it first."""
        claimed = []
        for path in self.files():
            if not path.name.endswith(CLAIMED):
                taken = path.with_name(path.name + CLAIMED)
                try:
                    path.rename(taken)
                except FileNotFoundError:
                    continue
                path = taken
            with path.open("rb") as held:
                fcntl.flock(held, fcntl.LOCK_EX)
            claimed.append(path)
        return claimed

    def _latest(self, claimed: list[Path], result: FlushResult) -> dict[str, tuple[int, int]]:
        """Where the last version of each document is: id -> (file, offset). Lines that
        hold no document are set aside on the way."""
        latest: dict[str, tuple[int, int]] = {}
        seen = 0
        with _Writer(self.bad_lines_file) as bad:
            for number, path in enumerate(claimed):
                for line, offset, raw, doc, problem in _read(path):
                    if problem:
                        bad.add(_bad_line(path, line, offset, raw, problem))
                        result.bad_lines += 1
                        result.bad_reasons[problem.split(":")[0]] += 1
                        continue
                    seen += 1
                    latest[doc["id"]] = (number, offset)
        result.superseded = seen - len(latest)
        if result.bad_lines:
            logger.warning("%d spool lines hold no document: moved to %s", result.bad_lines,
                           self.bad_lines_file)  # fmt: skip
        return latest

    def _left_over_file(self, claimed: list[Path]) -> Path:
        """Named after the oldest file taken over: it sorts before any file a writer
        started since, so a newer version spooled meanwhile still comes last."""
        stem = claimed[0].name.removesuffix(CLAIMED).removesuffix(".jsonl")
        return self.folder / f"{stem.split('-left')[0]}-left.jsonl"


def _unusable(client: Elasticsearch, alias: str) -> str | None:
    """Why nothing can be indexed now, if so; else the alias is ready (a bulk request
    must never create a bare index under its name)."""
    try:
        ensure_index(client, alias)
    except (TransportError, ApiError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _send(
    client: Elasticsearch, alias: str, batch: list[tuple[dict[str, Any], str]],
    gone: str | None, result: FlushResult, left: _Writer, dead: _Writer,
) -> str | None:  # fmt: skip
    """Index one batch; sort each document into indexed, still waiting or dead letter.
    Once Elasticsearch is gone the rest only waits: why it is gone, if so."""
    if not batch:
        return gone
    docs = [doc for doc, _ in batch]
    if gone:
        outcomes = [(doc, gone) for doc in docs]
    else:
        try:
            outcomes = bulk_index(client, alias, docs)
        except (TransportError, ApiError) as exc:
            gone = f"{type(exc).__name__}: {exc}"
            logger.warning("Elasticsearch went away during the flush: %s", gone)
            outcomes = [(doc, gone) for doc in docs]
    at = _now()
    for (doc, origin), (_, reason) in zip(batch, outcomes, strict=True):
        if reason is None:
            result.indexed += 1
        elif is_transient(reason):
            left.add({**doc, REASON_KEY: {"reason": reason, "at": at}})
            result.waiting += 1
            result.waiting_reasons[reason] += 1
        else:
            dead.add({"id": doc["id"], "url": doc.get("url"), "reason": reason, "at": at,
                      "from": origin, "document": doc})  # fmt: skip
            result.dead_letters += 1
            result.dead_reasons[reason] += 1
            logger.error("%s: Elasticsearch will never take it: %s", origin, reason)
    return gone


def _documents(
    claimed: list[Path], latest: dict[str, tuple[int, int]]
) -> Iterator[tuple[dict[str, Any], str, int]]:
    """The last version of each document, one at a time, in spool order: the document
    (without its spool note), where it comes from, its size."""
    for number, path in enumerate(claimed):
        for line, offset, raw, doc, problem in _read(path):
            if problem or latest.get(doc["id"]) != (number, offset):
                continue
            doc.pop(REASON_KEY, None)
            yield doc, f"{_origin(path)}:{line}", len(raw)


def _read(path: Path) -> Iterator[tuple[int, int, bytes, Any, str | None]]:
    """Each non-blank line of a spool file, one at a time: its number, offset and bytes,
    then its document, or why it holds none."""
    with path.open("rb") as lines:
        offset = 0
        for number, raw in enumerate(lines, start=1):
            doc, problem = _parse(raw)
            if doc is not None or problem:
                yield number, offset, raw, doc, problem
            offset += len(raw)


def _parse(raw: bytes) -> tuple[Any, str | None]:
    """A line's document, or why it holds none; (None, None) for a blank line."""
    cut = "cut short: the last line has no end (its writer was stopped mid-write)"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if not raw.endswith(b"\n"):  # stopped in the middle of a character, say
            return None, cut
        return None, f"not UTF-8: byte 0x{raw[exc.start]:02x} at column {exc.start + 1}"
    if not text.strip():
        return None, None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        if not text.endswith("\n"):
            return None, cut
        return None, f"not JSON: {exc.msg} at column {exc.colno}"
    if not isinstance(doc, dict):
        return None, f"not a document: a JSON {_JSON_KINDS.get(type(doc), 'value')}"
    if not isinstance(doc.get("id"), str) or not doc["id"]:
        return None, f"no id: a document needs a non-empty text id, found {doc.get('id')!r}"
    return doc, None


_JSON_KINDS = {list: "array", str: "string", int: "number", float: "number",
               bool: "boolean", type(None): "null"}  # fmt: skip


def _bad_line(path: Path, line: int, offset: int, raw: bytes, reason: str) -> dict[str, Any]:
    """A record of a line set aside: where it was, why, and the line itself, intact."""
    record: dict[str, Any] = {"from": _origin(path), "line": line, "offset": offset,
                              "reason": reason, "at": _now()}  # fmt: skip
    try:
        record["raw"] = raw.decode("utf-8")
    except UnicodeDecodeError:
        record["raw_base64"] = base64.b64encode(raw).decode("ascii")
    return record


def _origin(path: Path) -> str:
    """The spool file a line was written to (before a flush took it over)."""
    return str(path.with_name(path.name.removesuffix(CLAIMED)))


def _now() -> str:
    return datetime.now(VIETNAM_TZ).isoformat(timespec="seconds")


def _count_lines(path: Path) -> int:
    if not path.is_file():
        return 0
    with path.open("rb") as lines:
        return sum(1 for raw in lines if raw.strip())


class _Writer:
    """Records appended durably in chunks, so that memory stays small; the file is
    made only when something is written to it."""

    CHUNK = 100

    def __init__(self, path: Path) -> None:
        self.path = path
        self.pending: list[dict[str, Any]] = []

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.flush()

    def add(self, record: dict[str, Any]) -> None:
        self.pending.append(record)
        if len(self.pending) >= self.CHUNK:
            self.flush()

    def flush(self) -> None:
        records, self.pending = self.pending, []
        if records:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _append_lines(self.path, records)


def _append_lines(path: Path, records: list[dict[str, Any]]) -> None:
    """Append JSON lines under an exclusive lock, fsynced. A file a flush took over
    (renamed) while it was being opened is left alone: the lines go to a new one."""
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    while True:
        with path.open("a+b") as out:
            fcntl.flock(out, fcntl.LOCK_EX)
            if _still_at(out, path):
                _end_last_line(out)
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
                return


def _still_at(out: IO[bytes], path: Path) -> bool:
    try:
        return os.fstat(out.fileno()).st_ino == path.stat().st_ino
    except FileNotFoundError:
        return False


def _end_last_line(out: IO[bytes]) -> None:
    """A line cut short by a killed writer stays a line of its own, not the start of ours."""
    end = out.seek(0, os.SEEK_END)
    if end:
        out.seek(end - 1)
        if out.read(1) != b"\n":
            out.write(b"\n")
