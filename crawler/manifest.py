"""Load the seed manifest (seeds/manifest.yaml): what a seed's text cannot tell."""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from pathlib import Path

import yaml

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.yaml"


class ManifestError(ValueError):
    """A manifest that cannot be read, named with its file and entry."""


@dataclass(frozen=True)
class SeedMeta:
    """Facts about one seed file that come from the manifest, not from its text."""

    site: str | None = None
    url: str | None = None
    province: str | None = None
    province_current: str | None = None


_FIELDS = {f.name for f in fields(SeedMeta)}


def load_manifest(path: Path) -> dict[str, SeedMeta]:
    """Entries of one manifest file, keyed by seed file name; a bad entry raises."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ManifestError(f"{path}: cannot read manifest: {exc}") from exc
    seeds = data.get("seeds") if isinstance(data, dict) else None
    if not isinstance(seeds, dict):
        raise ManifestError(f"{path}: expected a mapping under 'seeds:'")
    manifest = {}
    for name, entry in seeds.items():
        entry = entry or {}
        if not isinstance(entry, dict):
            raise ManifestError(f"{path}: entry {name!r} must be a mapping")
        unknown = set(entry) - _FIELDS
        if unknown:
            raise ManifestError(
                f"{path}: entry {name!r} has unknown field(s) {sorted(unknown)}; "
                f"allowed: {sorted(_FIELDS)}"
            )
        for key, value in entry.items():
            if value is not None and not isinstance(value, str):
                raise ManifestError(f"{path}: entry {name!r} field {key!r} must be text")
        manifest[str(name)] = SeedMeta(**entry)
    return manifest


def find_manifest(seed: Path) -> Path | None:
    """The manifest beside a seed file, if its folder has one."""
    candidate = seed.parent / MANIFEST_NAME
    return candidate if candidate.is_file() else None
