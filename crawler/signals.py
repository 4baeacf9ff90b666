"""Signals of our own, beside Scrapy's; their payloads are the types of crawler.runs.

``article_failed(failure)``: something fetched or parsed did not make it into the index
(a ``crawler.runs.Failure``); run summaries list these so nothing is lost silently.
``site_counted(site, name, value)``: one of a site's figures grew (``crawler.runs.count``).
``site_noted(note)``: something about a site a reader should know though nothing failed
(a ``crawler.runs.Note``: its listing gave no links and a fallback read it another way).
"""

from __future__ import annotations

article_failed = object()
site_counted = object()
site_noted = object()
