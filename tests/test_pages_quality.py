"""Quality gate: the page reader's figures on the page corpus (tests/data/pages/) may not
fall below the stored baseline, and stay at or above bare trafilatura + htmldate.

The baseline is what `benchmarks/pages.py --baseline` printed when it was last raised;
raise it when the reader improves, never lower it to make a change pass.
"""

from __future__ import annotations

import json

import pytest

from crawler.pages.evaluation import bare_trafilatura, load_pages, ours, score
from tests.conftest import PROJECT

CORPUS = PROJECT / "tests" / "data" / "pages"
BASELINE = json.loads((PROJECT / "tests" / "data" / "pages_baseline.json").read_text())
PAGES = load_pages(CORPUS)
# What no reader of ours may do, whatever the baseline says.
TARGETS = {"paragraph precision": 0.97, "paragraph recall": 0.95, "listings rejected": 1.0}


@pytest.fixture(scope="module")
def figures() -> dict[str, dict[str, float]]:
    return {
        "ours": score(PAGES, ours)[0],
        "generic only": score(PAGES, lambda page: ours(page, generic_only=True))[0],
    }


def test_the_corpus_has_varied_articles_and_listings() -> None:
    articles = [p for p in PAGES if p.expected["article"]]
    assert len(PAGES) >= 40
    assert len(articles) >= 30
    assert len(PAGES) - len(articles) >= 10
    families = {p.name.split("_")[0] for p in PAGES}
    assert {"cms", "old", "nat", "reg"} <= families


@pytest.mark.parametrize("reader", ["ours", "generic only"])
def test_no_figure_falls_below_the_baseline(figures, reader: str) -> None:
    for field, floor in BASELINE[reader].items():
        if field == "ms per page":
            continue
        assert figures[reader][field] >= floor, (
            f"{reader} {field}: {figures[reader][field]} < {floor}"
        )


def test_paragraphs_and_listings_meet_the_targets(figures) -> None:
    for field, target in TARGETS.items():
        assert figures["ours"][field] >= target, f"{field}: {figures['ours'][field]} < {target}"


def test_every_field_at_least_trafilatura(figures) -> None:
    theirs = score(PAGES, bare_trafilatura)[0]
    for field, value in figures["ours"].items():
        assert value >= theirs[field], f"{field}: ours {value} < trafilatura {theirs[field]}"
