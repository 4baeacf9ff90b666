"""Content hash of the cleaned text, so a re-fetched article is re-indexed only if it changed."""

from __future__ import annotations

import hashlib

from itemadapter import ItemAdapter


def content_hash(item: object) -> str:
    """SHA-256 over title, lead, body and captions as they will be indexed."""
    adapter = ItemAdapter(item)
    parts = [adapter.get("title") or "", adapter.get("lead") or "", *(adapter.get("body") or [])]
    parts += adapter.get("captions") or []
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


class FingerprintPipeline:
    def process_item(self, item: object) -> object:
        ItemAdapter(item)["content_hash"] = content_hash(item)
        return item
