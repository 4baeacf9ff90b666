"""Where the crawler keeps what it can rebuild: the Elasticsearch download, compiled models
and tables that take seconds to build and a tenth of that to read back."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from crawler.config import user_cache_dir

logger = logging.getLogger(__name__)
T = TypeVar("T")


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/vn-police-news-crawler, else ~/.cache/vn-police-news-crawler."""
    return user_cache_dir() / "vn-police-news-crawler"


def built_once(folder: str, name: str, key: str, build: Callable[[], T]) -> T:
    """What `build` returns, read back from the cache when a run stored it under this key
    (hashed; it must name everything the result depends on), else built and stored.

    Entries of other keys under the same name are removed when a new one is stored. An
    unreadable file is rebuilt, with a warning; a cache that cannot be written costs a
    warning, not the result.
    """
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    file = cache_dir() / folder / f"{name}-{digest}.pickle"
    try:
        with file.open("rb") as handle:
            return pickle.load(handle)
    except FileNotFoundError:
        pass
    except Exception as error:  # a truncated or foreign file: say so, then rebuild it
        logger.warning("cached %s is unreadable (%s); rebuilding it", file, error)
    result = build()
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        partial = file.with_name(f"{file.name}.{os.getpid()}.partial")
        with partial.open("wb") as handle:
            pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(file)  # atomic: a concurrent reader sees all of it or nothing
        for older in file.parent.glob(f"{name}-*.pickle"):  # built by other versions
            if older != file:
                older.unlink(missing_ok=True)
    except OSError as error:
        logger.warning("cannot store %s in the cache (%s)", file, error)
    return result


def source_of(module_file: str) -> str:
    """A module's code, for a cache key: a change to what it builds makes a new entry."""
    return Path(module_file).read_text(encoding="utf-8")
