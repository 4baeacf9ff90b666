from __future__ import annotations

from pathlib import Path

import pytest

from crawler.sites import PROFILES, RegistryError, load_sites
from tests.conftest import PROJECT


@pytest.fixture(scope="module")
def sites():
    return load_sites(PROJECT / "crawler" / "registry" / "sites.yaml")


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
        (("    profile", "    1: red\n    profile"), "field '1' is not known"),
        (("- id: hue", "- id: ''"), "entry 1: field 'id' is missing or empty"),
        (("    start:\n      - listing: https://congan.hue.gov.vn/\n", "    start: []\n"),
         "field 'start' needs at least one start point"),
        (("- listing: https://congan.hue.gov.vn/", "- {listing: https://x, feed: https://y}"),
         "field 'start' items must look like {listing: URL}, got {'listing': 'https://x'"),
        (("    profile", "    verified: 'no'\n    profile"),
         "field 'verified' must be true or false, not 'no'"),
        (("    profile", "    recrawl_days: true\n    profile"),
         "field 'recrawl_days' must be a positive number, not True"),
        (("    profile", "    overrides: {selectors: {headline: h1}}\n    profile"),
         "field 'overrides' selectors may set only title, body, lead"),
        (("    profile", "    overrides: {date_format: dd/mm/yyyy}\n    profile"),
         "field 'overrides' date_format must be a strptime format, not 'dd/mm/yyyy'"),
        (("    profile", "    overrides: {encoding: cp1258}\n    profile"),
         "field 'overrides' may set only selectors and date_format"),
    ],
)  # fmt: skip
def test_broken_entry_names_entry_and_field(tmp_path, change, message) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(RegistryError) as caught:
        load_sites(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert "pydantic" not in str(caught.value)


def test_entry_that_is_not_a_mapping(tmp_path) -> None:
    with pytest.raises(RegistryError, match="entry 2 must be a mapping"):
        load_sites(write(tmp_path, GOOD + "  - congan.hue.gov.vn\n"))


def test_good_entry_and_duplicate_ids(tmp_path) -> None:
    (site,) = load_sites(write(tmp_path, GOOD))
    assert (site.max_pages, site.recrawl_days, site.verified, site.selectors) == (20, 30, True, {})
    assert [(p.kind, p.url) for p in site.start] == [("listing", "https://congan.hue.gov.vn/")]
    assert site.owns("https://congan.hue.gov.vn/tin-tuc/a-1.html")
    assert not site.owns("https://cand.com.vn/a")
    with pytest.raises(RegistryError, match="field 'id' is used twice"):
        load_sites(write(tmp_path, GOOD + GOOD))


def test_defaults_apply_under_every_entry_and_overrides_are_read(tmp_path) -> None:
    path = tmp_path / "sites.yaml"
    entry = GOOD.replace("    profile", "    overrides:\n      selectors: {date: .ngay}\n"
                         "      date_format: '%d/%m/%Y'\n    profile")  # fmt: skip
    path.write_text(f"defaults:\n  max_pages: 3\n  recrawl_days: 7\nsites:\n{entry}", "utf-8")
    (site,) = load_sites(path)
    assert (site.max_pages, site.recrawl_days) == (3, 7.0)
    assert (site.selectors, site.date_format) == ({"date": ".ngay"}, "%d/%m/%Y")
    path.write_text(f"defaults:\n  max_page: 3\nsites:\n{GOOD}", "utf-8")
    with pytest.raises(RegistryError, match="site 'hue': field 'max_page' is not known"):
        load_sites(path)
