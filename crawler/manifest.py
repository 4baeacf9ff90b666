"""Load the seed manifest (seeds/manifest.yaml): what a seed's text cannot tell.

pydantic checks each entry against ``SeedMeta`` itself. By hand: the ``seeds:`` mapping,
whose keys (file names) name the entries, and the one-line error naming file, entry, field.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from pathlib import Path

import yaml
from pydantic import ConfigDict, TypeAdapter, ValidationError, with_config

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.yaml"


class ManifestError(ValueError):
    """A manifest that cannot be read, named with its file and entry."""


@with_config(ConfigDict(extra="forbid"))
@dataclass(frozen=True)
class SeedMeta:
    """Facts about one seed file that come from the manifest, not from its text."""

    site: str | None = None
    url: str | None = None
    province: str | None = None
    province_current: str | None = None


_FIELDS = {f.name for f in fields(SeedMeta)}
_ENTRY = TypeAdapter(SeedMeta)
# How pydantic reports a key that is no field of SeedMeta (a name it lacks, or no name).
_UNKNOWN = ("unexpected_keyword_argument", "extra_forbidden", "invalid_key")


def load_manifest(path: Path) -> dict[str, SeedMeta]:
    """Entries of one manifest file, keyed by seed file name; a bad entry raises."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ManifestError(f"{path}: cannot read manifest: {exc}") from exc
    seeds = data.get("seeds") if isinstance(data, dict) else None
    if not isinstance(seeds, dict):
        raise ManifestError(f"{path}: expected a mapping under 'seeds:'")
    return {str(name): _entry(path, name, entry) for name, entry in seeds.items()}


def _entry(path: Path, name: object, entry: object) -> SeedMeta:
    try:
        return _ENTRY.validate_python({} if entry is None else entry)
    except ValidationError as exc:
        errors = exc.errors()
    unknown = sorted(str(e["loc"][0]) for e in errors if e["type"] in _UNKNOWN and e["loc"])
    if unknown:
        raise ManifestError(
            f"{path}: entry {name!r} has unknown field(s) {unknown}; allowed: {sorted(_FIELDS)}"
        )
    if not errors[0]["loc"]:
        raise ManifestError(f"{path}: entry {name!r} must be a mapping")
    raise ManifestError(f"{path}: entry {name!r} field {errors[0]['loc'][0]!r} must be text")


def find_manifest(seed: Path) -> Path | None:
    """The manifest beside a seed file, if its folder has one."""
    candidate = seed.parent / MANIFEST_NAME
    return candidate if candidate.is_file() else None
