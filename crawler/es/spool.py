"""A durable local spool for documents Elasticsearch could not take: append-only JSON
lines, fsynced, indexed later by `crawler spool flush` (and at the start of a nightly run)."""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.dates import VIETNAM_TZ
from crawler.es.bulk import bulk_index

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

logger = logging.getLogger(__name__)


class Spool:
    """One spool folder; each writer appends to a file of its own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._file: Path | None = None

    def append(self, docs: list[dict[str, Any]]) -> None:
        """Write documents durably: the data is on disk when this returns."""
        if not docs:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._file is None:
            stamp = datetime.now(VIETNAM_TZ).strftime("%Y%m%dT%H%M%S")
            self._file = self.folder / f"{stamp}-{os.getpid()}.jsonl"
        with self._file.open("a", encoding="utf-8") as out:
            for doc in docs:
                out.write(json.dumps(doc, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())

    def files(self) -> list[Path]:
        return sorted(self.folder.glob("*.jsonl")) if self.folder.is_dir() else []

    def pending(self) -> int:
        """Documents waiting in the spool."""
        return sum(
            sum(1 for line in f.open(encoding="utf-8") if line.strip()) for f in self.files()
        )

    def flush(self, client: Elasticsearch, alias: str) -> tuple[int, int]:
        """Index what waits; (indexed, still waiting). A file is removed once all of it is
        in; what fails stays for the next flush."""
        indexed = 0
        for path in self.files():
            docs = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
            latest = {doc["id"]: doc for doc in docs}  # a re-spooled article: its last version
            outcomes = bulk_index(client, alias, list(latest.values()))
            left = [doc for doc, reason in outcomes if reason]
            indexed += len(outcomes) - len(left)
            if left:
                path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in left))
                logger.warning("%s: %d documents still not indexed", path, len(left))
            else:
                path.unlink()
        if indexed:
            client.indices.refresh(index=alias)
        return indexed, self.pending()
