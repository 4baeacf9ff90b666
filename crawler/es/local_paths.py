"""Answers fit to leave this machine: replayed files carry the paths they were read from."""

from __future__ import annotations

from typing import Any

URL_FIELDS = ("url", "canonical_url")  # a file: address in them is a path on this machine


def without_local_paths(value: Any) -> Any:
    """An answer without the paths of this machine that replayed files carry: their
    seed_path, a file: address as url or canonical_url (of the article or an image)."""
    if isinstance(value, list):
        return [without_local_paths(v) for v in value]
    if not isinstance(value, dict):
        return value
    return {
        key: None
        if key in URL_FIELDS and isinstance(v, str) and v.lower().startswith("file:")
        else without_local_paths(v)
        for key, v in value.items()
        if key != "seed_path"
    }
