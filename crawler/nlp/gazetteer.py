"""Places of Vietnam before and after the July 2025 merger, from vietnamadminunits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version

from retrie.trie import Trie

from crawler.cachedir import built_once, source_of

_UNIT_PREFIX = re.compile(r"^(?:Tỉnh|Thành phố) ")


@dataclass(frozen=True)
class Place:
    name: str
    kind: str  # "province" or "district"
    province: str  # the province it lies in, as it was
    province_current: str  # the province it belongs to since July 2025


@cache
def current_province(province: str) -> str:
    """The province a pre-2025 province is part of today ("Nam Định" -> "Ninh Bình")."""
    from vietnamadminunits import convert_address

    return _UNIT_PREFIX.sub("", convert_address(province).province)


@cache
def places() -> dict[str, Place]:
    """Every province (63 old, 34 new) and pre-2025 district, by its short name.

    Read from vietnamadminunits once and then from the cache: importing it (geopy,
    shapely, aiohttp) takes a second in every process that extracts entities.
    """
    key = version("vietnamadminunits") + source_of(__file__)
    return built_once("gazetteer", "places", key, _read_places)


def _read_places() -> dict[str, Place]:
    from vietnamadminunits.database import query

    found: dict[str, Place] = {}
    for row in query("SELECT DISTINCT provinceShort FROM admin_units"):
        name = row["provinceShort"]
        found[name] = Place(name, "province", name, name)
    for row in query("SELECT DISTINCT provinceShort FROM admin_units_legacy"):
        name = row["provinceShort"]
        found.setdefault(name, Place(name, "province", name, current_province(name)))
    for row in query("SELECT DISTINCT districtShort, provinceShort FROM admin_units_legacy"):
        name, province = row["districtShort"], row["provinceShort"]
        if name and not name.isdigit() and name not in found:
            found[name] = Place(name, "district", province, current_province(province))
    return found


@cache
def place_alternatives() -> str:
    """A regex matching any place name, longest first: a trie of the names (retrie), which
    Python's re scans many times faster than the plain alternation of ~800 names."""
    trie = Trie()
    trie.add(*places())
    return f"(?:{trie.pattern()})"
