"""Signals of our own, beside Scrapy's; their payloads are the types of crawler.runs.

``article_failed(failure)``: something fetched or parsed did not make it into the index
(a ``crawler.runs.Failure``); run summaries list these so nothing is lost silently.
``site_counted(site, name, value)``: one of a site's figures grew (``crawler.runs.count``).
"""

from __future__ import annotations

article_failed = object()
site_counted = object()
