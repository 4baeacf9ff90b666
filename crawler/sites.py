"""The site registry (seeds/sites.yaml): loaded and checked once, a bad entry named."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

PROFILES = ("nukeviet", "wordpress", "liferay", "legacy_portal", "cand", "generic")
START_TYPES = ("listing", "feed", "sitemap")
SELECTOR_KEYS = ("title", "body", "lead", "date", "author", "caption", "listing", "next")
ENTRY_KEYS = {
    "id", "name", "province", "merged_into", "verified", "hosts", "profile", "start",
    "enabled", "max_pages", "recrawl_days", "overrides",
}  # fmt: skip


class RegistryError(ValueError):
    """A registry entry that cannot be used; names the file, entry and field."""


@dataclass(frozen=True)
class StartPoint:
    kind: str
    url: str


@dataclass(frozen=True)
class Site:
    """One source: where to start, which hosts are its own, how to read its pages."""

    id: str
    name: str
    province: str
    hosts: tuple[str, ...]
    profile: str
    start: tuple[StartPoint, ...]
    merged_into: str | None = None
    verified: bool = True
    enabled: bool = True
    max_pages: int = 20
    recrawl_days: float = 30
    selectors: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None

    @property
    def province_current(self) -> str:
        return self.merged_into or self.province

    def owns(self, url: str) -> bool:
        """True when the URL is on one of the site's hosts."""
        return (urlsplit(url).netloc or "").lower() in self.hosts


def load_sites(path: Path) -> list[Site]:
    """Every entry of the registry, validated; the first bad one raises RegistryError."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RegistryError(f"{path}: cannot read the site registry: {exc}") from exc
    defaults = data.get("defaults") or {}
    entries = data.get("sites")
    if not isinstance(entries, list):
        raise RegistryError(f"{path}: expected a list under 'sites:'")
    sites: list[Site] = []
    for number, entry in enumerate(entries, 1):
        site = _site(path, number, {**defaults, **entry} if isinstance(entry, dict) else entry)
        if any(s.id == site.id for s in sites):
            raise RegistryError(f"{path}: site '{site.id}': field 'id' is used twice")
        sites.append(site)
    return sites


def _site(path: Path, number: int, entry: object) -> Site:
    label = f"entry {number}"
    if not isinstance(entry, dict):
        raise RegistryError(f"{path}: {label} must be a mapping")
    label = f"site '{entry.get('id')}'" if entry.get("id") else label

    def fail(name: str, why: str) -> RegistryError:
        return RegistryError(f"{path}: {label}: field '{name}' {why}")

    unknown = set(entry) - ENTRY_KEYS
    if unknown:
        raise fail(sorted(unknown)[0], f"is not known (allowed: {', '.join(sorted(ENTRY_KEYS))})")
    for name in ("id", "name", "province", "profile"):
        if not isinstance(entry.get(name), str) or not entry[name].strip():
            raise fail(name, "is missing or empty")
    if entry["profile"] not in PROFILES:
        raise fail("profile", f"must be one of {', '.join(PROFILES)}, not {entry['profile']!r}")
    hosts = entry.get("hosts")
    if not isinstance(hosts, list) or not hosts or not all(isinstance(h, str) for h in hosts):
        raise fail("hosts", "must be a list of host names")
    start = []
    for point in entry.get("start") or []:
        if not isinstance(point, dict) or len(point) != 1:
            raise fail("start", f"items must look like {{listing: URL}}, got {point!r}")
        ((kind, url),) = point.items()
        if kind not in START_TYPES:
            raise fail("start", f"type must be one of {', '.join(START_TYPES)}, not {kind!r}")
        parts = urlsplit(str(url))
        if parts.scheme not in ("http", "https") or parts.netloc.lower() not in hosts:
            raise fail("start", f"URL {url!r} must be http(s) on one of the site's hosts")
        start.append(StartPoint(kind, str(url)))
    if not start:
        raise fail("start", "needs at least one start point")
    for name in ("max_pages", "recrawl_days"):
        value = entry.get(name, 1)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise fail(name, f"must be a positive number, not {value!r}")
    overrides = entry.get("overrides") or {}
    if not isinstance(overrides, dict) or set(overrides) - {"selectors", "date_format"}:
        raise fail("overrides", "may set only selectors and date_format")
    selectors = overrides.get("selectors") or {}
    if not isinstance(selectors, dict) or set(selectors) - set(SELECTOR_KEYS):
        raise fail("overrides", f"selectors may set only {', '.join(SELECTOR_KEYS)}")
    date_format = overrides.get("date_format")
    if date_format is not None and (not isinstance(date_format, str) or "%" not in date_format):
        raise fail("overrides", f"date_format must be a strptime format, not {date_format!r}")
    return Site(
        id=entry["id"],
        name=entry["name"],
        province=entry["province"],
        hosts=tuple(h.lower() for h in hosts),
        profile=entry["profile"],
        start=tuple(start),
        merged_into=entry.get("merged_into"),
        verified=bool(entry.get("verified", True)),
        enabled=bool(entry.get("enabled", True)),
        max_pages=int(entry.get("max_pages", 20)),
        recrawl_days=float(entry.get("recrawl_days", 30)),
        selectors=dict(selectors),
        date_format=date_format,
    )
