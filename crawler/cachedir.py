"""Where the crawler keeps what it can rebuild: the Elasticsearch download, compiled models."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/vn-police-news-crawler, else ~/.cache/vn-police-news-crawler."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "vn-police-news-crawler"
