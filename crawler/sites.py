"""The site registry (CRAWLER_SITES, shipped in the package) and the user's own file
(CRAWLER_USER_SITES, written by `crawler sites add`), whose entries replace the shipped
ones of the same id: loaded and checked once, a bad entry named.

pydantic checks each entry against ``_Entry``, whose fields carry the words of their errors.
By hand, as a schema cannot say them: ``defaults:`` merged under every entry, ids unique
across entries, and the one-line error that names the file, the entry and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args
from urllib.parse import urlsplit

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    WrapValidator,
    field_validator,
)
from pydantic_core import PydanticCustomError

if TYPE_CHECKING:
    from pydantic import ValidatorFunctionWrapHandler
    from scrapy.settings import BaseSettings

Profile = Literal["nukeviet", "wordpress", "liferay", "legacy_portal", "cand", "generic"]
StartType = Literal["listing", "feed", "sitemap"]
SelectorKey = Literal["title", "body", "lead", "date", "author", "caption", "listing", "next"]
PROFILES: tuple[str, ...] = get_args(Profile)
START_TYPES: tuple[str, ...] = get_args(StartType)
SELECTOR_KEYS: tuple[str, ...] = get_args(SelectorKey)


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


_ERROR = "registry"  # the type of the errors that carry the registry's own words
_UNKNOWN = ("extra_forbidden", "invalid_key")  # a key that is no field, by name or not a name


def _says(why: str) -> WrapValidator:
    """Any error in the value it marks reads ``why`` (``{value}``: the value given), unless
    a marker nested deeper worded it already."""

    def validate(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError as exc:
            inner = [e["msg"] for e in exc.errors() if e["type"] == _ERROR]
            if inner:
                raise PydanticCustomError(_ERROR, inner[0]) from None
            raise PydanticCustomError(_ERROR, why, {"value": repr(value)}) from None

    return WrapValidator(validate)


_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
_Required = Annotated[_Text, _says("is missing or empty")]
# A word on the command line and in file names: no spaces, slashes or capitals.
_Id = Annotated[
    _Required,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$"),
    _says("must be lowercase letters, digits, - and _ (a letter or digit first), not {value}"),
]
_Flag = Annotated[bool, _says("must be true or false, not {value}")]
_Count = Annotated[int, Field(gt=0), _says("must be a positive whole number, not {value}")]
_Days = Annotated[float, Field(gt=0), _says("must be a positive number, not {value}")]
_StartPoint = Annotated[
    dict[
        Annotated[StartType, _says(f"type must be one of {', '.join(START_TYPES)}, not {{value}}")],
        str,
    ],
    Field(min_length=1, max_length=1),
    _says("items must look like {listing: URL}, got {value}"),
]


class _Overrides(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    selectors: Annotated[
        dict[SelectorKey, str],
        _says(f"selectors may set only {', '.join(SELECTOR_KEYS)}, each to a CSS selector"),
    ] = {}
    date_format: Annotated[
        Annotated[str, StringConstraints(pattern="%")] | None,
        _says("date_format must be a strptime format, not {value}"),
    ] = None


class _Entry(BaseModel):
    """One entry as the registry (crawler/registry/sites.yaml) writes it (``Site`` is what
    the crawl uses)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    id: _Id
    name: _Required
    province: _Required
    merged_into: Annotated[_Text | None, _says("must be a province name, not {value}")] = None
    verified: _Flag = True
    hosts: Annotated[list[_Text], Field(min_length=1), _says("must be a list of host names")]
    profile: Annotated[Profile, _says(f"must be one of {', '.join(PROFILES)}, not {{value}}")]
    start: Annotated[
        list[_StartPoint], Field(min_length=1), _says("needs at least one start point")
    ]
    enabled: _Flag = True
    max_pages: _Count = 20
    recrawl_days: _Days = 30
    overrides: Annotated[_Overrides | None, _says("may set only selectors and date_format")] = None

    @field_validator("start")
    @classmethod
    def _on_own_hosts(cls, start: list[dict], info: ValidationInfo) -> list[dict]:
        hosts = {h.lower() for h in info.data.get("hosts", ())}  # none when hosts was refused
        for url in (url for point in start for url in point.values()):
            parts = urlsplit(url)
            own = parts.scheme in ("http", "https") and parts.netloc.lower() in hosts
            if hosts and not own:
                why = "URL {url} must be http(s) on one of the site's hosts"
                raise PydanticCustomError(_ERROR, why, {"url": repr(url)})
        return start


def load_sites(path: Path, user: Path | None = None) -> list[Site]:
    """Every entry of the registry, validated; with ``user`` (a file that may not exist
    yet), that file's entries replace the registry's of the same id, in place, and the
    others come after. The first bad entry raises RegistryError naming its file."""
    sites = _load(path)
    if user is None or not user.exists():
        return sites
    own = {site.id: site for site in _load(user)}
    merged = [own.pop(site.id, site) for site in sites]
    return merged + list(own.values())


def user_registry(settings: BaseSettings) -> Path | None:
    """The user's registry file (CRAWLER_USER_SITES), None when set empty."""
    value = settings.get("CRAWLER_USER_SITES")
    return Path(value) if value else None


def configured_sites(settings: BaseSettings) -> list[Site]:
    """The sites a run uses: the registry (CRAWLER_SITES) with the user's file over it."""
    return load_sites(Path(settings["CRAWLER_SITES"]), user_registry(settings))


def _load(path: Path) -> list[Site]:
    data = _read(path)
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise RegistryError(f"{path}: expected a mapping under 'defaults:'")
    sites: list[Site] = []
    for number, entry in enumerate(data["sites"], 1):
        site = _site(path, number, {**defaults, **entry} if isinstance(entry, dict) else entry)
        if any(s.id == site.id for s in sites):
            raise RegistryError(f"{path}: site '{site.id}': field 'id' is used twice")
        sites.append(site)
    return sites


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RegistryError(f"{path}: cannot read the site registry: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("sites"), list):
        raise RegistryError(f"{path}: expected a list under 'sites:'")
    return data


def save_entry(path: Path, entry: dict[str, Any]) -> Site:
    """Check ``entry`` as the registry's model does, then put it in the user's file at
    ``path`` (replacing one of the same id), written whole or not at all. Comments in
    that file are not kept: it is the program's to write."""
    if path.exists():
        _load(path)  # a file already broken is named, not silently rewritten
        data = _read(path)
    else:
        data = {"sites": []}
    entries = [e for e in data["sites"] if not isinstance(e, dict) or e.get("id") != entry["id"]]
    entries.append(entry)
    site = _site(path, len(entries), {**(data.get("defaults") or {}), **entry})
    data["sites"] = entries
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "# Sites added with `crawler sites add`; an entry replaces the shipped one of its id.\n"
    text += yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    partial = path.with_name(path.name + ".partial")  # never half a file
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
    return site


def _site(path: Path, number: int, entry: object) -> Site:
    label = f"entry {number}"
    if not isinstance(entry, dict):
        raise RegistryError(f"{path}: {label} must be a mapping")
    label = f"site '{entry.get('id')}'" if entry.get("id") else label
    try:
        valid = _Entry.model_validate(entry)
    except ValidationError as exc:
        name, why = _why(exc)
        raise RegistryError(f"{path}: {label}: field '{name}' {why}") from None
    overrides = valid.overrides or _Overrides()
    return Site(
        id=valid.id,
        name=valid.name,
        province=valid.province,
        hosts=tuple(h.lower() for h in valid.hosts),
        profile=valid.profile,
        start=tuple(StartPoint(kind, url) for point in valid.start for kind, url in point.items()),
        merged_into=valid.merged_into,
        verified=valid.verified,
        enabled=valid.enabled,
        max_pages=valid.max_pages,
        recrawl_days=float(valid.recrawl_days),
        selectors=dict(overrides.selectors),
        date_format=overrides.date_format,
    )


def _why(exc: ValidationError) -> tuple[str, str]:
    """The field of an entry's first error (an unknown one before the rest), and why."""
    errors = exc.errors()
    error = next((e for e in errors if e["type"] in _UNKNOWN), errors[0])
    name = str(error["loc"][0]) if error["loc"] else "?"
    if error["type"] in _UNKNOWN:
        return name, f"is not known (allowed: {', '.join(sorted(_Entry.model_fields))})"
    if error["type"] == "missing":
        return name, "is missing or empty"
    return name, error["msg"]
