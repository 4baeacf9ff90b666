"""Signals of our own, beside Scrapy's.

``article_failed(item_or_url, reason)``: something fetched or parsed did not make it
into the index; run summaries list these so nothing is lost silently.
"""

from __future__ import annotations

article_failed = object()
