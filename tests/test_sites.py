from __future__ import annotations

from pathlib import Path

import pytest

from crawler.settings import SITES_REGISTRY
from crawler.sites import PROFILES, RegistryError, load_sites


@pytest.fixture(scope="module")
def sites():
    return load_sites(Path(SITES_REGISTRY))


def test_registry_covers_every_province_and_the_national_peers(sites) -> None:
    by_id = {s.id: s for s in sites}
    assert {"cand", "bocongan"} <= set(by_id)
    provincial = [s for s in sites if s.province != "Toàn quốc"]
    current = {s.province for s in provincial if not s.merged_into}
    merged = {s.province: s.merged_into for s in provincial if s.merged_into}
    assert len(current) == 34
    assert len(merged) == 29
    assert set(merged.values()) <= current  # merged into a province of today
    assert merged["Nam Định"] == "Ninh Bình"
    assert by_id["thaibinh"].hosts == ("conganthaibinh.gov.vn",)
    assert all(s.profile in PROFILES for s in sites)
    assert all(s.verified or s.hosts[0].startswith("congan.") for s in sites)


def write(tmp_path: Path, entry: str) -> Path:
    path = tmp_path / "sites.yaml"
    path.write_text(f"sites:\n{entry}", encoding="utf-8")
    return path


GOOD = """  - id: hue
    name: Công an Huế
    province: Huế
    hosts: [congan.hue.gov.vn]
    profile: generic
    start:
      - listing: https://congan.hue.gov.vn/
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("profile: generic", "profile: joomla"), "site 'hue': field 'profile' must be one of"),
        (("    name: Công an Huế\n", ""), "site 'hue': field 'name' is missing"),
        (("listing: https://congan.hue", "listing: https://other.example"),
         "site 'hue': field 'start' URL 'https://other.example.gov.vn/' must be"),
        (("listing:", "crawl:"), "site 'hue': field 'start' type must be one of"),
        (("hosts: [congan.hue.gov.vn]", "hosts: congan.hue.gov.vn"),
         "site 'hue': field 'hosts' must be a list"),
        (("    profile", "    max_pages: 0\n    profile"), "field 'max_pages' must be a positive"),
        (("    profile", "    colour: red\n    profile"), "field 'colour' is not known"),
    ],
)  # fmt: skip
def test_broken_entry_names_entry_and_field(tmp_path, change, message) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(RegistryError, match=message.replace("(", r"\(").replace(".", r"\.")):
        load_sites(path)


def test_good_entry_and_duplicate_ids(tmp_path) -> None:
    (site,) = load_sites(write(tmp_path, GOOD))
    assert site.owns("https://congan.hue.gov.vn/tin-tuc/a-1.html")
    assert not site.owns("https://cand.com.vn/a")
    with pytest.raises(RegistryError, match="field 'id' is used twice"):
        load_sites(write(tmp_path, GOOD + GOOD))
